#!/bin/sh
# 20 warm-up forks, then the recorded window: one dropped iteration (it arms the
# recorder) and VMMLAB_ITERATIONS recorded ones.
# 1404 KiB of resident anonymous memory in the parent (see recipe.json for why this size).
exec ./forkwait_anon 20 "${VMMLAB_ITERATIONS:-40}" 1404
