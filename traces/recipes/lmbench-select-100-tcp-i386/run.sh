#!/bin/sh
# Loopback networking carries the TCP connections the select polls.
ip link set lo up || exit 1
# 20 warm-up operations, one dropped, then VMMLAB_ITERATIONS recorded.
exec ./lmbench_ops select 20 "${VMMLAB_ITERATIONS:-300}" 100
