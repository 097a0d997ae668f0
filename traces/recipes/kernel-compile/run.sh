#!/bin/sh
# A warm-up build outside the window (page cache, dynamic loader), then a rebuild whose
# first three objects are compiled before the window opens; the window covers the rest
# of the build as make runs it: compiling tokenize.c, then linking wordfreq. Each
# compiler run ends with an iteration marker (see src/Makefile); the marker before the
# window's first compile ends the dropped iteration.
cp -r src /tmp/wf && cd /tmp/wf || exit 1
make -s >/dev/null || exit 1
make -s clean
make -s main.o hash.o report.o >/dev/null || exit 1
vmark begin
vmark iteration
make -s || exit 1
vmark end
./wordfreq *.c *.h | head -3
