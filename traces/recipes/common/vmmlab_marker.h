/*
 * Guest-side markers for the vmmlab recorder: each macro executes one multi-byte NOP
 * whose displacement the recorder's TCG plugin recognises (bytes 0F 1F 80 op arg 56 4D).
 * The NOP does nothing on any CPU, so a workload behaves the same with or without the
 * recorder watching.
 */
#ifndef VMMLAB_MARKER_H
#define VMMLAB_MARKER_H

#if defined(__i386__)
/* 32-bit guests: the same bytes, addressed through %eax (no %rax in 32-bit code). */
#define VMMLAB_MARK(op, arg) \
    __asm__ volatile("nopl %c0(%%eax)" ::"i"(0x4D560000 | ((arg) << 8) | (op)) : "memory")
#else
#define VMMLAB_MARK(op, arg) \
    __asm__ volatile("nopl %c0(%%rax)" ::"i"(0x4D560000 | ((arg) << 8) | (op)) : "memory")
#endif

/* Start of the recorded window: the recorder instruments everything from here. */
#define VMMLAB_BEGIN() VMMLAB_MARK(1, 0)
/* End of the recorded window. */
#define VMMLAB_END() VMMLAB_MARK(2, 0)
/* Boundary between two iterations of the measured operation. */
#define VMMLAB_ITERATION() VMMLAB_MARK(3, 0)
/* Start and end of a region of interest numbered r (0-255). */
#define VMMLAB_REGION_BEGIN(r) VMMLAB_MARK(4, (r))
#define VMMLAB_REGION_END(r) VMMLAB_MARK(5, (r))

/*
 * Page-access summary of the whole run: from SUMMARY_BEGIN to SUMMARY_END (or power-off)
 * the recorder notes which guest-physical pages each interval touched and dirtied; the
 * BEGIN..END window inside it is recorded in full.
 */
#define VMMLAB_SUMMARY_BEGIN() VMMLAB_MARK(8, 0)
#define VMMLAB_SUMMARY_END() VMMLAB_MARK(9, 0)

#endif
