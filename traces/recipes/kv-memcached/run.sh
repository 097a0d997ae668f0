#!/bin/sh
# memcached (Debian's) on the loopback interface holds the dataset; kvdrive (this recipe's
# client) loads it and reads it with a moving hot set. The page summary covers the server's
# start, the load and every phase; the instruction window is VMMLAB_ITERATIONS iterations of
# gets in the last phase, just after the hot set moved.
ip link set lo up || exit 1
vmark summary-begin
/usr/bin/memcached -u root -t 1 -m 300 -c 16 -l 127.0.0.1 -p 11211 -U 0 &
./kvdrive 60000 3500 12000 6 10000 5 "${VMMLAB_ITERATIONS:-20}" 50 || exit 1
grep -E "^(MemTotal|MemFree|Cached)" /proc/meminfo
vmark summary-end
