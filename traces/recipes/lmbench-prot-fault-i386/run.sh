#!/bin/sh
# 20 warm-up operations, one dropped, then VMMLAB_ITERATIONS recorded.
exec ./lmbench_ops prot-fault 20 "${VMMLAB_ITERATIONS:-200}"
