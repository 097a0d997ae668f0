/*
 * slices WARMUP_US SLICE_US ITERATIONS: marks equal slices of guest time while another
 * workload (dbench, a web server and its client) runs in the background, for programs
 * that have no per-operation hook of their own. It sleeps WARMUP_US, executes the begin
 * marker, then ITERATIONS + 1 slices of SLICE_US each ending with an iteration marker
 * (the recorder drops the first), then the end marker.
 *
 * One iteration is therefore one slice of guest time (deterministic under -icount): the
 * background workload's work in it plus this program's own wake-up (a timer interrupt,
 * two context switches, one nanosleep), which is small next to a slice.
 */
#include <stdlib.h>
#include <time.h>

#include "vmmlab_marker.h"

static void sleep_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    while (nanosleep(&ts, &ts) != 0) {}
}

int main(int argc, char **argv)
{
    if (argc < 4) return 2;
    long warmup = atol(argv[1]);
    long slice = atol(argv[2]);
    int iterations = atoi(argv[3]);
    sleep_us(warmup);
    VMMLAB_BEGIN();
    sleep_us(slice);
    for (int i = 0; i < iterations; i++) {
        VMMLAB_ITERATION();
        sleep_us(slice);
    }
    VMMLAB_ITERATION();
    VMMLAB_END();
    return 0;
}
