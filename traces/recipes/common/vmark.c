/*
 * vmark OP [ARG]: executes one recorder marker NOP from a shell script, for workloads
 * whose operations are real programs (gzip, make, tcc) rather than vmmlab's own C code.
 * OP is begin, end, iteration, region-begin, region-end, snapshot, summary-begin or
 * summary-end; ARG is 0-255.
 */
#include <stdlib.h>
#include <string.h>

#include "vmmlab_marker.h"

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    int arg = argc > 2 ? atoi(argv[2]) & 0xff : 0;
    const char *op = argv[1];
    if (strcmp(op, "begin") == 0) VMMLAB_BEGIN();
    else if (strcmp(op, "end") == 0) VMMLAB_END();
    else if (strcmp(op, "iteration") == 0) VMMLAB_ITERATION();
    else if (strcmp(op, "region-begin") == 0) {
        switch (arg) { /* the marker's argument is an immediate */
        case 1: VMMLAB_REGION_BEGIN(1); break;
        case 2: VMMLAB_REGION_BEGIN(2); break;
        case 3: VMMLAB_REGION_BEGIN(3); break;
        default: VMMLAB_REGION_BEGIN(0); break;
        }
    } else if (strcmp(op, "region-end") == 0) {
        switch (arg) {
        case 1: VMMLAB_REGION_END(1); break;
        case 2: VMMLAB_REGION_END(2); break;
        case 3: VMMLAB_REGION_END(3); break;
        default: VMMLAB_REGION_END(0); break;
        }
    } else if (strcmp(op, "snapshot") == 0) {
        switch (arg) {
        case 1: VMMLAB_MARK(7, 1); break;
        case 2: VMMLAB_MARK(7, 2); break;
        case 3: VMMLAB_MARK(7, 3); break;
        default: VMMLAB_MARK(7, 0); break;
        }
    } else if (strcmp(op, "summary-begin") == 0) VMMLAB_SUMMARY_BEGIN();
    else if (strcmp(op, "summary-end") == 0) VMMLAB_SUMMARY_END();
    else return 2;
    return 0;
}
