/*
 * mcgrad.h — the C interface of MCGrad (libMCGradC), API version 1.
 *
 * Monte Carlo estimates of ∇θ E_{x∼p_θ}[f(x)] from any language that can call
 * C: f is one of the built-in problems or a callback evaluated on whole blocks
 * of points. Only C types cross this interface; the library carries its own
 * Swift runtime (linked statically), so it loads into any process.
 *
 * Conventions
 *   - Points are row-major: point n, coordinate i is points[n * d + i].
 *   - A Gaussian's gradient is with respect to the mean µ and the standard
 *     deviation σ. With wrt = MCGRAD_WRT_BOTH the K·D entries are the D mean
 *     entries, then the D std entries.
 *   - Every function returns a status (MCGRAD_OK = 0). On failure, *message
 *     (when message is not NULL) receives a UTF-8 text naming the bad value
 *     and what was expected; free it with mcgrad_free. On success *message is
 *     set to NULL.
 *   - The same seed gives the same bits for any number of threads, and the
 *     same bits as `mcgrad estimate --seed S` for the built-in problems.
 *   - Threads: every function may be called from several threads at once, each
 *     call with its own request, and gives the same bits as alone.
 *   - Callbacks: f may be called from any of the library's threads (not
 *     necessarily the caller's), but within one call they take turns (never two
 *     at once). Two calls running at once call their callbacks independently, so
 *     an f shared by them must be thread-safe. A callback must return: a C++
 *     exception thrown through it terminates the program, and a longjmp out of
 *     it leaves the call half-done. Do not fork while a call with callbacks
 *     runs on another thread: the child's calls with callbacks may hang (the
 *     usual rule for fork in a threaded process). A nonzero return means f failed: the
 *     estimate stops cleanly and the call returns MCGRAD_CALLBACK_FAILED; the
 *     caller keeps its own record of why. NaN or ±∞ values from f, or in the
 *     gradient callback's gradients, give MCGRAD_NON_FINITE_OBJECTIVE and a
 *     message naming the entry and the point (with threads > 1, which of
 *     several such points is named can vary between runs; the status does
 *     not). A callback must write every value
 *     (and every gradient entry) it is asked for: one that returns 0 without writing them
 *     gives MCGRAD_CALLBACK_FAILED and a message saying so (the library fills
 *     the outputs with a NaN of its own before each call and looks for it).
 */
#ifndef MCGRAD_H
#define MCGRAD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MCGRAD_API_VERSION 2

/* Status codes. */
#define MCGRAD_OK 0
#define MCGRAD_INVALID_ARGUMENT 1        /* a bad argument, name or size */
#define MCGRAD_UNSUPPORTED 2             /* the estimator does not apply (e.g. pathwise without a gradient) */
#define MCGRAD_NON_FINITE_OBJECTIVE 3    /* f (or ∇ₓf) returned NaN or ±∞ at a sampled point */
#define MCGRAD_CALLBACK_FAILED 4         /* the callback returned nonzero, or 0 without writing */
#define MCGRAD_FAILED 5                  /* anything else */
#define MCGRAD_INTERRUPTED 6             /* stopped by mcgrad_interrupt */

/* Which Gaussian parameters to differentiate. */
#define MCGRAD_WRT_MEAN 1
#define MCGRAD_WRT_STD 2
#define MCGRAD_WRT_BOTH 3

/* f on n points of dimension d: writes n values. Returns 0, or nonzero on failure.
 * points, values and gradients belong to the library and are valid during the call only (the
 * next call reuses them): copy what you keep. NaN or ±∞ in values or gradients, like a nonzero
 * return, stops the estimate, and no callback is called again. */
typedef int (*mcgrad_objective)(const double *points, int64_t n, int64_t d, double *values, void *context);

/* f and its gradient ∇ₓf on n points: writes n values and n·d gradient entries. */
typedef int (*mcgrad_objective_gradient)(const double *points, int64_t n, int64_t d, double *values,
                                         double *gradients, void *context);

/* MCGRAD_API_VERSION of the library that is loaded. */
int32_t mcgrad_api_version(void);

/* The library's version, e.g. "0.1.0" (a static string). */
const char *mcgrad_version(void);

/* A short name of a status code, e.g. "invalid argument" (a static string). */
const char *mcgrad_status_name(int32_t status);

/* Comma-separated names (static strings): the built-in problems, the
   estimators for a Gaussian, and the estimators for Bernoulli/categorical logits. */
const char *mcgrad_problem_names(void);
const char *mcgrad_estimator_names(void);
const char *mcgrad_discrete_estimator_names(void);

/* Frees a text the library returned (NULL is ignored). */
void mcgrad_free(char *text);

/*
 * Asks the calls made from thread `thread` — its pthread_self(), as Python's
 * threading.get_ident() gives it; 0 for every call running in the process —
 * to stop. Safe from any thread (a helper that watches for Ctrl-C, say; not
 * from a signal handler: it takes a lock). Each call stops within one block
 * of 64 samples per thread, after a callback already called returns, and
 * returns MCGRAD_INTERRUPTED with its outputs unspecified; calls started
 * afterwards are not affected. Returns how many calls were asked.
 */
int32_t mcgrad_interrupt(uint64_t thread);

/*
 * One gradient estimate under N(mean, diag std²) in dimension d.
 *
 *   problem    a built-in problem ("rosenbrock", …; "entropy" and "mean-weighted-square"
 *              depend on θ), or NULL to use f; run as `mcgrad estimate --problem` runs it
 *   k          the built-in problem's constant; NaN for its default
 *   f          the objective callback (when problem is NULL)
 *   gradient   f with ∇ₓf, for the pathwise estimator; may be NULL
 *   estimator  a name of mcgrad_estimator_names(), e.g. "sf-loo"
 *   samples    N, in the estimator's unit (antithetic pairs for es, base points for mvd)
 *   out_gradient, out_standard_error   K·d entries each (K = 2 for MCGRAD_WRT_BOTH, else 1)
 *   out_evaluations, out_seconds       may be NULL
 * Refused (MCGRAD_INVALID_ARGUMENT), as the command line refuses them: N·K·d entries needing
 * more than half of this machine's memory; an estimate that would send the callbacks more
 * than 10^12 coordinates (evaluations × d); f and gradient both given to an estimator that
 * does not use the gradient (a gradient callback alone serves as f); a problem and callbacks
 * both; k other than NaN with callbacks, or with a problem that has no constant.
 */
int32_t mcgrad_estimate(const char *problem, double k, mcgrad_objective f, mcgrad_objective_gradient gradient,
                        void *context, int64_t d, const double *mean, const double *std, int32_t wrt,
                        const char *estimator, int64_t samples, uint64_t seed, int32_t threads,
                        double *out_gradient, double *out_standard_error, int64_t *out_evaluations,
                        double *out_seconds, char **message);

/*
 * mcgrad_estimate with settings beyond the estimator's name (since API version 2): `settings` is
 * NULL (the defaults) or a JSON object of the command line's settings in camel case —
 * "emaDecay" (sf-ema's β, 0 to 0.999999; 0.9), "ccmvdSelected" (the entries the convex
 * combinations refine, 1 to the gradient's entries, d or 2d for MCGRAD_WRT_BOTH; a fifth of them)
 * and "ccmvdSamples" (their samples per refined entry, 2 to 10^7; 8). An unknown key, a value out
 * of range or a partner estimate beyond half of this machine's memory is refused with
 * MCGRAD_INVALID_ARGUMENT, a setting the estimator does not take with MCGRAD_UNSUPPORTED.
 * mcgrad_compare_json and mcgrad_advise_json take the same keys in their requests.
 */
int32_t mcgrad_estimate_with_settings(const char *problem, double k, mcgrad_objective f,
                                      mcgrad_objective_gradient gradient, void *context, int64_t d,
                                      const double *mean, const double *std, int32_t wrt, const char *estimator,
                                      const char *settings, int64_t samples, uint64_t seed, int32_t threads,
                                      double *out_gradient, double *out_standard_error, int64_t *out_evaluations,
                                      double *out_seconds, char **message);

/*
 * One gradient estimate with respect to the logits of discrete coordinates.
 *
 *   classes == 0   d independent bits, P(bᵢ = 1) = sigmoid(logits[i]); f sees 0/1 points;
 *                  the output has d entries
 *   classes >= 2   d categorical coordinates, row i of logits holds its `classes` logits
 *                  (logits[i * classes + c]); f sees class indices 0 … classes−1; the output
 *                  has classes·d entries, class-major: entry c·d + i is ∂/∂logits[i * classes + c]
 *   estimator      a name of mcgrad_discrete_estimator_names(), e.g. "disarm"
 *
 * mcgrad_discrete_estimator_names() lists every discrete estimator of `mcgrad discrete`;
 * with a callback this call returns MCGRAD_UNSUPPORTED, with the names that fit, for an
 * estimator of the other kind of logits (disarm with classes >= 2, disarm-sb with
 * classes == 0), a relaxation (rebar, relax, gumbel-sigmoid, st-gumbel-sigmoid,
 * straight-through, gumbel-softmax, st-gumbel-softmax: they need f at continuous points)
 * and the perturb-and-MAP estimators (imle, imle-central, aimle: they need a MAP solver).
 * "vimco" estimates the gradient of VIMCO's multi-sample objective
 * E[log (1/K) Σₖ e^{f(xₖ)}] with K = 4 (Mnih and Rezende 2016), not of E[f].
 */
int32_t mcgrad_discrete_estimate(mcgrad_objective f, void *context, int64_t d, int64_t classes,
                                 const double *logits, const char *estimator, int64_t samples, uint64_t seed,
                                 int32_t threads, double *out_gradient, double *out_standard_error,
                                 int64_t *out_evaluations, double *out_seconds, char **message);

/*
 * `mcgrad compare` and `mcgrad advise`, JSON in and JSON out. The request is
 * a JSON object:
 *   "problem": a built-in problem, or null to use f (and gradient, when given)
 *   "k", "mean", "std" (arrays of d numbers), "wrt" ("mean", "std" or "both"),
 *   "seed" (a number below 2^53, or any seed below 2^64 as a string of decimal digits),
 *   "threads", "exact" (K·d numbers or null; the built-in problem's by default)
 *   compare: "estimators" (array of names or null for all), "budget", "repeats"
 *   advise:  "estimators", "budget", "pilotFraction", "cost" ("evaluations" or "seconds"),
 *            "includeBiased", "replicates", "run"; or "discrete": a problem of `mcgrad discrete`
 * Missing keys take the command line's defaults. *result receives the text of
 * `mcgrad compare --json` (an array of rows) or `mcgrad advise --json` (one
 * object); free it with mcgrad_free. It is NULL when the call fails, with one
 * exception: advice with "run": true whose pilot finished and whose final
 * estimate failed returns the failure's status and message ("the pilot
 * finished and recommends …; its final estimate failed: …") and the advice,
 * without "estimate", in *result.
 * A gradient callback beside f that none of the named estimators uses is refused, and so
 * are estimators × repeats × budget × d beyond 10^12 (compare) and budget × d beyond 10^12
 * (advise), as on the command line; and, as mcgrad_estimate refuses them, an estimate
 * whose contributions need more than half of this machine's memory (compare: budget × K·d
 * entries; advise: the pilot's share of the budget, or the whole budget with "run"), a
 * "problem" with callbacks, and "k" with callbacks or for a problem without a constant.
 * "discrete" takes no callbacks.
 */
int32_t mcgrad_compare_json(const char *request, mcgrad_objective f, mcgrad_objective_gradient gradient,
                            void *context, char **result, char **message);
int32_t mcgrad_advise_json(const char *request, mcgrad_objective f, mcgrad_objective_gradient gradient,
                           void *context, char **result, char **message);

#ifdef __cplusplus
}
#endif

#endif /* MCGRAD_H */
