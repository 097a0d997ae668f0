#!/bin/sh
# A static address and a static ARP entry for the peer, so only the datagrams are sent.
i=0
while ! ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up 2>/dev/null; do
  i=$((i + 1))
  [ "$i" -lt 100 ] || { echo "no eth0"; exit 1; }
  usleep 50000
done
arp -s 10.0.2.2 52:54:00:12:34:02 || exit 1
# Until the driver sees the link, the kernel drops what is sent (no carrier).
i=0
until [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ]; do
  i=$((i + 1))
  [ "$i" -lt 200 ] || { echo "eth0 has no carrier"; exit 1; }
  usleep 20000
done
exec ./udpsend 10.0.2.2 1472 200 10 "${VMMLAB_ITERATIONS:-40}"
