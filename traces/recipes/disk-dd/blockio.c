/*
 * dd-like direct I/O on an emulated IDE disk: each iteration writes one block to the
 * raw device with O_DIRECT (bypassing the page cache, so every operation reaches the
 * emulated controller) and reads it back.
 *
 * Usage: blockio DEVICE BLOCK_KIB WARMUP ITERATIONS
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/vmmlab_marker.h"

int main(int argc, char **argv)
{
    if (argc < 5) return 2;
    const char *dev = argv[1];
    size_t block = (size_t)atoi(argv[2]) * 1024;
    int warmup = atoi(argv[3]);
    int iterations = atoi(argv[4]);
    int fd = -1;
    for (int tries = 0; tries < 200 && fd < 0; tries++) {
        fd = open(dev, O_RDWR | O_DIRECT);
        if (fd < 0) usleep(50000); /* the disk appears once the driver's scan finishes */
    }
    if (fd < 0) {
        perror(dev);
        return 1;
    }
    void *buf;
    if (posix_memalign(&buf, 4096, block) != 0) return 1;
    memset(buf, 0x5a, block);
    off_t off = 0;
#define ONE()                                                              \
    do {                                                                   \
        if (pwrite(fd, buf, block, off) != (ssize_t)block) return 1;       \
        if (pread(fd, buf, block, off) != (ssize_t)block) return 1;        \
        off += (off_t)block;                                               \
    } while (0)
    for (int i = 0; i < warmup; i++) ONE();
    VMMLAB_BEGIN();
    ONE();
    for (int i = 0; i < iterations; i++) {
        VMMLAB_ITERATION();
        ONE();
    }
    VMMLAB_ITERATION();
    VMMLAB_END();
    close(fd);
    return 0;
}
