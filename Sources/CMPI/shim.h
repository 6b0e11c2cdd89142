// Open MPI's C API from Debian's libopenmpi-dev (pkg-config "ompi"). Swift
// does not import MPI_COMM_WORLD or the datatypes (they are macros over
// Open MPI's globals); the MPIShim target wraps what MCGrad uses.
#include <mpi.h>
