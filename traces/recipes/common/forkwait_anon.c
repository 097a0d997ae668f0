/*
 * forkwait as Adams & Agesen (ASPLOS 2006) define it (the parent forks, the child exits
 * at once, the parent waits), built to be run dynamically linked against Debian's glibc
 * and with an optional resident anonymous region in the parent, so that each fork copies
 * (and each exit tears down) as many page-table entries as a 2006 process's fork did.
 *
 * Why: Linux 6.1 forks a small static program with about 120 page-table writes. A 2.6
 * kernel copied every present page-table entry at fork (file-backed ones were skipped
 * only from 2.6.14); the parent here is dynamically linked (the loader, libc and their
 * relocated data are mapped as in a 2006 process) and ANON_KIB of memory it has written
 * stand for the rest of its resident pages, whose entries a current kernel still copies.
 *
 * Usage: forkwait_anon WARMUP ITERATIONS [ANON_KIB]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmmlab_marker.h"

static void one_fork(void)
{
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
    int warmup = argc > 1 ? atoi(argv[1]) : 2;
    int iterations = argc > 2 ? atoi(argv[2]) : 10;
    long anon_kib = argc > 3 ? atol(argv[3]) : 0;
    if (anon_kib < 0 || anon_kib > 1024 * 1024) return 2;
    if (anon_kib > 0) {
        size_t bytes = (size_t)anon_kib * 1024;
        volatile char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                                -1, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        /* Written, so resident and private: every page has a present entry fork copies. */
        for (size_t i = 0; i < bytes; i += 4096) p[i] = 1;
    }
    for (int i = 0; i < warmup; i++) one_fork();
    VMMLAB_BEGIN();
    /* The first iteration after arming runs partly uninstrumented: the recorder drops it. */
    one_fork();
    for (int i = 0; i < iterations; i++) {
        VMMLAB_ITERATION();
        one_fork();
    }
    VMMLAB_ITERATION();
    VMMLAB_END();
    return 0;
}
