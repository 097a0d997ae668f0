#!/bin/sh
# 20 warm-up operations, one dropped, then VMMLAB_ITERATIONS recorded.
exec ./lmbench_ops sig-inst 20 "${VMMLAB_ITERATIONS:-1000}"
