#include "mcgrad_mpi.h"

#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int mcgrad_mpi_launched(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMIX_RANK") != NULL;
}

int mcgrad_mpi_initialize(void) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return MPI_SUCCESS;
  int provided = 0;
  int code = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
  if (code != MPI_SUCCESS) return code;
  // Errors return codes to the caller, which reports them and aborts.
  return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

int mcgrad_mpi_active(void) {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized && !finalized;
}

int mcgrad_mpi_rank(int *rank) { return MPI_Comm_rank(MPI_COMM_WORLD, rank); }

int mcgrad_mpi_size(int *size) { return MPI_Comm_size(MPI_COMM_WORLD, size); }

int mcgrad_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

int mcgrad_mpi_broadcast_doubles(double *values, int count, int root) {
  return MPI_Bcast(values, count, MPI_DOUBLE, root, MPI_COMM_WORLD);
}

int mcgrad_mpi_broadcast_bytes(void *bytes, int count, int root) {
  return MPI_Bcast(bytes, count, MPI_BYTE, root, MPI_COMM_WORLD);
}

int mcgrad_mpi_allgather_doubles(const double *sent, int count, double *received) {
  return MPI_Allgather(sent, count, MPI_DOUBLE, received, count, MPI_DOUBLE, MPI_COMM_WORLD);
}

int mcgrad_mpi_allgatherv_doubles(
    const double *sent, int count, double *received, const int *counts, const int *offsets) {
  return MPI_Allgatherv(sent, count, MPI_DOUBLE, received, counts, offsets, MPI_DOUBLE, MPI_COMM_WORLD);
}

int mcgrad_mpi_gatherv_doubles(
    const double *sent, int count, double *received, const int *counts, const int *offsets, int root) {
  return MPI_Gatherv(sent, count, MPI_DOUBLE, received, counts, offsets, MPI_DOUBLE, root, MPI_COMM_WORLD);
}

void mcgrad_mpi_abort(int code, const char *message) {
  if (message != NULL) {
    fputs(message, stderr);
    fputs("\n", stderr);
    fflush(stderr);
  }
  MPI_Abort(MPI_COMM_WORLD, code);
  exit(code);
}

static char *termination_message = NULL;
static size_t termination_length = 0;

static void mcgrad_mpi_terminated(int signal_number) {
  (void)signal_number;
  if (termination_message != NULL) {
    ssize_t written = write(STDERR_FILENO, termination_message, termination_length);
    (void)written;
    // mpirun forwards a rank's standard error through a pipe it reads while it
    // tears the job down; exiting at once lost the message in about one run of
    // ten. A pause (async-signal-safe, well within the second Open MPI waits
    // before SIGKILL) lets it be read.
    struct timespec pause = {0, 200000000};
    nanosleep(&pause, NULL);
  }
  _exit(143);
}

void mcgrad_mpi_on_termination(const char *message) {
  size_t length = strlen(message);
  char *copy = malloc(length + 2);
  if (copy == NULL) return;
  memcpy(copy, message, length);
  copy[length] = '\n';
  copy[length + 1] = 0;
  termination_message = copy;
  termination_length = length + 1;
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = mcgrad_mpi_terminated;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, NULL);
}

int mcgrad_mpi_finalize(void) {
  if (!mcgrad_mpi_active()) return MPI_SUCCESS;
  return MPI_Finalize();
}
