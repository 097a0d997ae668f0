/*
 * forkwait, as Adams & Agesen (ASPLOS 2006) define it: the parent forks, the child
 * exits at once, the parent waits for it; repeated. Each iteration is bracketed by an
 * iteration marker, so a trace scales per fork.
 *
 * Usage: forkwait WARMUP ITERATIONS
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/vmmlab_marker.h"

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
