#!/bin/sh
# 20 warm-up forks, then the recorded window: one dropped iteration (it arms the
# recorder) and VMMLAB_ITERATIONS recorded ones.
exec ./forkwait_anon 20 "${VMMLAB_ITERATIONS:-40}" 0
