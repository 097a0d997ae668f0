#!/bin/sh
# 20 warm-up operations, one dropped, then VMMLAB_ITERATIONS recorded.
exec ./lmbench_ops null-io 20 "${VMMLAB_ITERATIONS:-500}"
