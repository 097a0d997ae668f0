#!/bin/sh
# 5 warm-up operations, one dropped, then VMMLAB_ITERATIONS recorded.
exec ./lmbench_ops sh 5 "${VMMLAB_ITERATIONS:-5}"
