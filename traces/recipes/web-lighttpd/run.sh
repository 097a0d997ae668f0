#!/bin/sh
# lighttpd on the loopback interface serving one 4 KiB page; ab fetches it over and over
# (one request at a time, no keep-alive) while slices.c marks VMMLAB_ITERATIONS slices of
# 2 ms of guest time, starting 300 ms after ab starts.
ip link set lo up || exit 1
# Let the kernel's random generator finish initialising first (ab's TLS library asks for
# random bytes at start-up, which would otherwise spin in try_to_generate_entropy).
dd if=/dev/random of=/dev/null bs=16 count=1 2>/dev/null
mkdir -p /tmp/www
dd if=/bin/busybox of=/tmp/www/index.html bs=4096 count=1 2>/dev/null
/usr/sbin/lighttpd -f ./lighttpd.conf -m /usr/lib/lighttpd || { cat /tmp/lighttpd.err; exit 1; }
i=0
while ! wget -q -O /dev/null http://127.0.0.1/index.html; do
  i=$((i + 1))
  [ "$i" -lt 50 ] || { cat /tmp/lighttpd.err; exit 1; }
  usleep 20000
done
/usr/bin/ab -q -n 200000 -t 2 -c 1 http://127.0.0.1/index.html >/tmp/ab.out 2>&1 &
./slices 300000 2000 "${VMMLAB_ITERATIONS:-5}"
wait $! || { tail -5 /tmp/ab.out; exit 1; }
grep -E "Complete requests|Failed requests" /tmp/ab.out
