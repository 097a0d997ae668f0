#!/bin/sh
# One dropped 100 ms sleep, then VMMLAB_ITERATIONS recorded ones (100 ms of guest time each).
exec ./idle 100 "${VMMLAB_ITERATIONS:-10}"
