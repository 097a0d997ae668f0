/* Touches PAGES fresh pages per iteration (mmap, write one byte per page, munmap). */
#include <stdlib.h>
#include <sys/mman.h>

#include "vmmlab_marker.h"

static void touch(int pages)
{
    char *p = mmap(0, (size_t)pages * 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < pages; i++) p[i * 4096] = 1;
    munmap(p, (size_t)pages * 4096);
}

int main(int argc, char **argv)
{
    int pages = argc > 1 ? atoi(argv[1]) : 16;
    int iterations = argc > 2 ? atoi(argv[2]) : 10;
    touch(pages); /* warm-up, outside the window */
    VMMLAB_BEGIN();
    touch(pages); /* arms the recorder: dropped */
    for (int i = 0; i < iterations; i++) {
        VMMLAB_ITERATION();
        touch(pages);
    }
    VMMLAB_ITERATION();
    VMMLAB_END();
    return 0;
}
