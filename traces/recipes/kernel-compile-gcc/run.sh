#!/bin/sh
# Unpacks zlib from Debian's binutils source tarball and has make build one object with
# gcc before the window (warming the page cache and the dynamic loader for make, gcc,
# cc1 and as). The window is one more object of the same build as make runs it: gcc
# compiling compress.c (make's shell, the gcc driver, cc1, as). One compile of a small
# file is about 155 M instructions, so the sample is that one compiler run: a whole
# build, or its archive and link steps (about 65 M more), would not fit the corpus's
# size limits. The marker before the window's compile ends the dropped iteration.
mkdir -p /tmp/b && cd /tmp/b || exit 1
tar -xJf /usr/src/binutils/binutils-2.40.tar.xz binutils-2.40/zlib || exit 1
cd binutils-2.40/zlib || exit 1
# The tarball's 2023 dates are after the guest clock's 2020: without this every object
# would look older than its source.
touch ./*.c ./*.h
cp /recipes/kernel-compile-gcc/Makefile.zlib Makefile.vmmlab || exit 1
make -s -f Makefile.vmmlab adler32.o >/dev/null || exit 1
vmark begin
vmark iteration
make -s -f Makefile.vmmlab compress.o || exit 1
vmark end
test -s compress.o
