#!/bin/sh
# PostgreSQL 15 on tmpfs, driven by pgbench's TPC-B-like transactions from one client; the
# window is VMMLAB_ITERATIONS slices of 5 ms of guest time, 600 ms into the run.
vmark summary-begin
. ./pg_setup.sh || exit 1
$B/pgbench -h /tmp -U postgres -i -s 4 -q postgres >/tmp/init.out 2>&1 || { tail -5 /tmp/init.out; exit 1; }
$B/pgbench -h /tmp -U postgres -n -c 1 -T 2 --random-seed=1 postgres >/tmp/pgbench.out 2>&1 &
./slices 600000 5000 "${VMMLAB_ITERATIONS:-6}"
wait $! || { tail -5 /tmp/pgbench.out; exit 1; }
grep -E "number of transactions actually processed|tps" /tmp/pgbench.out
vmark summary-end
