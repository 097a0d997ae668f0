#!/bin/sh
# A small server's memory: long-lived processes, files in the page cache (tmpfs).
for i in 1 2 3 4; do sleep 100000 & done
cp /bin/busybox /tmp/busybox.copy
gzip -c /bin/busybox > /tmp/busybox.gz
sync
echo "vmmlab-snapshot ${VMMLAB_VM:-0}"
read -r go
