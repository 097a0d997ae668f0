#!/bin/sh
# One dbench client on tmpfs for 2 s of guest time; the window is VMMLAB_ITERATIONS
# slices of 2 ms starting 400 ms in (after dbench has read its loadfile and started).
mkdir -p /tmp/dbench
/usr/bin/dbench -D /tmp/dbench -c /usr/share/dbench/client.txt -t 2 1 >/tmp/dbench.out 2>&1 &
./slices 400000 2000 "${VMMLAB_ITERATIONS:-5}"
wait $! || { tail -5 /tmp/dbench.out; exit 1; }
tail -3 /tmp/dbench.out
