#!/bin/sh
# 5 warm-up operations, one dropped, then VMMLAB_ITERATIONS recorded.
exec ./lmbench_ops mmap 5 "${VMMLAB_ITERATIONS:-30}" 1024
