// MuJoCo's C API from Debian's libmujoco-dev (2.2.2): headers in
// /usr/include/mujoco, library libmujoco.so, no pkg-config file.
#include <mujoco/mujoco.h>
