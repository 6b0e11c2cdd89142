/* f(x) = Σ xᵢ² as an objective command in plain C (docs/objective-protocol.md),
 * with its gradient 2x.
 *
 *   cc -O2 -o sphere sphere.c
 *   mcgrad estimate --objective-command ./sphere --dim 5 --estimator pathwise
 *
 * Little-endian machines only: frames are copied as they are. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int readAll(void *buffer, size_t bytes) { return fread(buffer, 1, bytes, stdin) == bytes; }

int main(void) {
  char line[4097];
  if (!fgets(line, sizeof line, stdin)) return 1;
  const char *d = strstr(line, "\"dimension\":");
  if (!d) return 1;
  long dimension = strtol(d + strlen("\"dimension\":"), NULL, 10);
  int gradient = strstr(line, "\"gradient\":true") != NULL;
  printf("{\"protocol\":\"mcgrad-objective\",\"version\":1,\"gradient\":%s}\n", gradient ? "true" : "false");
  fflush(stdout);
  for (;;) {
    uint64_t header[2];
    if (!readAll(header, sizeof header)) return 0; /* end of input: MCGrad has gone */
    uint64_t n = header[0], wantsGradient = header[1] & 1;
    if (n == 0) return 0;
    size_t count = (size_t)n * (size_t)dimension;
    double *points = malloc(count * sizeof *points), *values = malloc(n * sizeof *values);
    if (!points || !values || !readAll(points, count * sizeof *points)) return 1;
    for (uint64_t k = 0; k < n; k++) {
      double sum = 0;
      for (long i = 0; i < dimension; i++) sum += points[k * dimension + i] * points[k * dimension + i];
      values[k] = sum;
    }
    fwrite(values, sizeof *values, n, stdout);
    if (wantsGradient) {
      for (size_t j = 0; j < count; j++) points[j] *= 2;
      fwrite(points, sizeof *points, count, stdout);
    }
    fflush(stdout);
    free(points);
    free(values);
  }
}
