/*
 * An idle guest: after boot the only process left running sleeps, so the vCPU executes
 * HLT in the idle loop and wakes for timer interrupts (and, once per iteration, for this
 * process's own wake-up). Consolidation studies (Waldspurger 2002; Barham 2003) pack
 * such guests beside busy ones.
 *
 * One iteration is one nanosleep of PERIOD_MS milliseconds of guest time; with
 * -icount ... sleep=off, QEMU's virtual clock jumps from each HLT to the next timer
 * deadline, so an idle second costs little host time.
 *
 * Usage: idle PERIOD_MS ITERATIONS
 */
#include <stdlib.h>
#include <time.h>

#include "vmmlab_marker.h"

static void nap(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&t, &t) != 0) {}
}

int main(int argc, char **argv)
{
    long period = argc > 1 ? atol(argv[1]) : 100;
    int iterations = argc > 2 ? atoi(argv[2]) : 10;
    if (period < 1 || period > 10000 || iterations < 1 || iterations > 1000) return 2;
    nap(period);
    VMMLAB_BEGIN();
    /* The first iteration after arming runs partly uninstrumented: the recorder drops it. */
    nap(period);
    for (int i = 0; i < iterations; i++) {
        VMMLAB_ITERATION();
        nap(period);
    }
    VMMLAB_ITERATION();
    VMMLAB_END();
    return 0;
}
