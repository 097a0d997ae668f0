#!/bin/sh
# PostgreSQL 15 on tmpfs with pgbench's tables at scale 8 (800,000 accounts, about 100 MB);
# one client runs the read-only query mix of ir.sql over and over; the window is
# VMMLAB_ITERATIONS slices of 10 ms of guest time, 800 ms into the run.
vmark summary-begin
. ./pg_setup.sh || exit 1
$B/pgbench -h /tmp -U postgres -i -s 8 -q postgres >/tmp/init.out 2>&1 || { tail -5 /tmp/init.out; exit 1; }
$B/pgbench -h /tmp -U postgres -n -c 1 -T 2 --random-seed=1 -f ./ir.sql postgres >/tmp/pgbench.out 2>&1 &
./slices 800000 10000 "${VMMLAB_ITERATIONS:-5}"
wait $! || { tail -5 /tmp/pgbench.out; exit 1; }
grep -E "number of transactions actually processed|tps" /tmp/pgbench.out
vmark summary-end
