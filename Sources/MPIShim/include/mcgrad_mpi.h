// Plain functions over Open MPI for Swift, which cannot import MPI's macros
// (MPI_COMM_WORLD, MPI_DOUBLE, ...). All act on MPI_COMM_WORLD and return an
// MPI error code (0 is success) unless they say otherwise.
#ifndef MCGRAD_MPI_H
#define MCGRAD_MPI_H

// 1 when this process was started by mpirun (Open MPI or PMIx put its rank in
// the environment), 0 otherwise; needs no MPI call.
int mcgrad_mpi_launched(void);

// Initialises MPI (threads: serialized) if it is not yet; idempotent.
int mcgrad_mpi_initialize(void);

// 1 once mcgrad_mpi_initialize has succeeded and MPI is not finalized.
int mcgrad_mpi_active(void);

int mcgrad_mpi_rank(int *rank);
int mcgrad_mpi_size(int *size);
int mcgrad_mpi_barrier(void);
int mcgrad_mpi_broadcast_doubles(double *values, int count, int root);
int mcgrad_mpi_broadcast_bytes(void *bytes, int count, int root);

// Every rank sends `count` doubles; `received` (size × count) gets rank r's at r·count.
int mcgrad_mpi_allgather_doubles(const double *sent, int count, double *received);

// Rank r sends counts[r] doubles; `received` gets them at offsets[r].
int mcgrad_mpi_allgatherv_doubles(
    const double *sent, int count, double *received, const int *counts, const int *offsets);

// Rank r sends counts[r] doubles; on `root` only, `received` gets them at offsets[r].
int mcgrad_mpi_gatherv_doubles(
    const double *sent, int count, double *received, const int *counts, const int *offsets, int root);

// Writes `message` (if not NULL) and a newline to standard error, then ends
// every rank of the job with `code`; does not return.
__attribute__((noreturn)) void mcgrad_mpi_abort(int code, const char *message);

// When mpirun ends this rank with SIGTERM (as it does to every rank when one
// fails or is killed), writes `message` and a newline to standard error
// before exiting with status 143. The message is copied.
void mcgrad_mpi_on_termination(const char *message);

int mcgrad_mpi_finalize(void);

#endif
