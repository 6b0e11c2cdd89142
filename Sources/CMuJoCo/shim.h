// MuJoCo's C API from Debian's libmujoco-dev (2.2.2): headers in
// /usr/include/mujoco, library libmujoco.so, no pkg-config file.
#include <mujoco/mujoco.h>

// MuJoCo prints its warnings ("Nan, Inf or huge value in CTRL …") to standard
// output and appends them to MUJOCO_LOG.TXT in the working directory unless a
// handler is set. The simulation reports instability through non-finite
// states, which the environments check, so the warnings are dropped: they
// would corrupt `--json` output and litter the user's folder.
static void mcgrad_mujoco_ignore_warning(const char *message) { (void)message; }

static inline void mcgrad_mujoco_quiet_warnings(void) { mju_user_warning = mcgrad_mujoco_ignore_warning; }
