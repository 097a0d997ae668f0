#!/bin/sh
# Real input: slices of the busybox executable, cut before the window opens.
n="${VMMLAB_ITERATIONS:-3}"
i=0
while [ "$i" -le "$n" ]; do
  dd if=/bin/busybox of="/tmp/slice.$i" bs=24576 skip="$((i + 4))" count=1 2>/dev/null
  i=$((i + 1))
done
/bin/gzip -9 -c /tmp/slice.0 > /dev/null
vmark begin
/bin/gzip -9 -c /tmp/slice.0 > /dev/null
i=1
while [ "$i" -le "$n" ]; do
  vmark iteration
  /bin/gzip -9 -c "/tmp/slice.$i" > /dev/null
  i=$((i + 1))
done
vmark iteration
vmark end
