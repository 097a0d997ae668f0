#!/bin/sh
# 20 warm-up operations, one dropped, then VMMLAB_ITERATIONS recorded.
exec ./lmbench_ops create 20 "${VMMLAB_ITERATIONS:-150}" 10
