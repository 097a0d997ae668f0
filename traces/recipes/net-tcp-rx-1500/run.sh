#!/bin/sh
# The guest's address on QEMU's user-mode network, then the MTU under study.
i=0
while ! ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up 2>/dev/null; do
  i=$((i + 1))
  [ "$i" -lt 100 ] || { echo "no eth0"; exit 1; }
  usleep 50000
done
ip link set eth0 mtu 1500 || exit 1
# Until the driver sees the link, the kernel drops what is sent (no carrier).
i=0
until [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ]; do
  i=$((i + 1))
  [ "$i" -lt 200 ] || { echo "eth0 has no carrier"; exit 1; }
  usleep 20000
done
# 10.0.2.100:5001 is forwarded by QEMU (guestfwd) to the recorder's peer on 127.0.0.1.
exec ./ttcp r eth0 10.0.2.100 5001 8192 128 "${VMMLAB_ITERATIONS:-96}"
