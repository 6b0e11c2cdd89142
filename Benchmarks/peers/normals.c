/* The practical limit for standard normals on this machine: xoshiro256**
   (Blackman and Vigna 2018) feeding the 256-layer ziggurat of Marsaglia and
   Tsang (2000) with Doornik's floating-point acceptance test (2005) -- the
   same algorithm as MCGrad's RandomStream.fillNormal -- in C at -O3.
   Prints normals per second (median of 7 runs over 2^22 draws). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t s[4];
static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static inline uint64_t next(void) {
  uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
  return result;
}
static inline double uniform(void) { return (double)(next() >> 11) * 0x1p-53; }

static double x[257], f[257];
static const double r = 3.6541528853610088, v = 0.004928673233992336;

static void setup(void) {
  x[0] = v / exp(-0.5 * r * r);
  x[1] = r;
  for (int i = 1; i < 256; i++) {
    double fx = exp(-0.5 * x[i] * x[i]);
    x[i + 1] = i == 255 ? 0 : sqrt(-2 * log(fx + v / x[i]));
  }
  for (int i = 0; i <= 256; i++) f[i] = exp(-0.5 * x[i] * x[i]);
}

static inline double normal(void) {
  for (;;) {
    uint64_t bits = next();
    int layer = (int)(bits & 0xFF);
    double u = (double)((int64_t)bits >> 11) * 0x1p-52;
    double c = u * x[layer];
    if (fabs(c) < x[layer + 1]) return c;
    if (layer == 0) {
      for (;;) {
        double e1 = -log(1 - uniform()) / r, e2 = -log(1 - uniform());
        if (2 * e2 >= e1 * e1) return u < 0 ? -(r + e1) : r + e1;
      }
    }
    double h = f[layer + 1] + (f[layer] - f[layer + 1]) * uniform();
    if (h < exp(-0.5 * c * c)) return c;
  }
}

static int compare(const void *a, const void *b) {
  double d = *(const double *)a - *(const double *)b;
  return (d > 0) - (d < 0);
}

int main(void) {
  setup();
  s[0] = 0x9E3779B97F4A7C15u; s[1] = 0xBF58476D1CE4E5B9u; s[2] = 0x94D049BB133111EBu; s[3] = 1;
  const int n = 1 << 22;
  double *buffer = malloc(sizeof(double) * n), rates[7], check = 0;
  for (int run = 0; run < 7; run++) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++) buffer[i] = normal();
    clock_gettime(CLOCK_MONOTONIC, &b);
    rates[run] = n / ((b.tv_sec - a.tv_sec) + 1e-9 * (b.tv_nsec - a.tv_nsec));
    check += buffer[run];
  }
  qsort(rates, 7, sizeof(double), compare);
  printf("{\"normalsPerSecond\": %.6g, \"check\": %g}\n", rates[3], check);
  free(buffer);
  return 0;
}
