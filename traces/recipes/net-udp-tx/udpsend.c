/*
 * UDP transmit through the guest's emulated NIC: each iteration sends one datagram of
 * PAYLOAD bytes to DEST:9 (the discard port) with sendto(), so the kernel's UDP/IP stack
 * and the NIC driver build and hand one Ethernet frame to the device, then sleeps GAP_US
 * so the device's (moderated) transmit-done interrupt and the driver's clean-up of the
 * descriptor come before the next send: one frame per device start, as a paced sender
 * sees it (a sender that outruns the interrupts has its frames batched by the queue).
 *
 * Usage: udpsend DEST PAYLOAD GAP_US WARMUP ITERATIONS
 *
 * Datagrams sent inside the window start with the tag "vmmlab-w" and a 32-bit sequence
 * number (0 for the iteration the recorder drops), so the recorder can tell them apart
 * in the packet capture it takes on the host side.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "../common/vmmlab_marker.h"

static unsigned char buf[65536];

int main(int argc, char **argv)
{
    if (argc < 6) return 2;
    size_t len = (size_t)atoi(argv[2]);
    long gap = atol(argv[3]);
    int warmup = atoi(argv[4]);
    int iterations = atoi(argv[5]);
    struct timespec pause = { gap / 1000000, (gap % 1000000) * 1000 };
    if (len < 12 || len > sizeof buf) return 2;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) return 2;
    memset(buf, 0x5a, len);
    unsigned seq = 0;
#define SEND()                                                                          \
    do {                                                                                \
        if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to) != (ssize_t)len) { \
            perror("sendto");                                                           \
            return 1;                                                                   \
        }                                                                               \
        nanosleep(&pause, NULL);                                                        \
    } while (0)
    for (int i = 0; i < warmup; i++) SEND();
    memcpy(buf, "vmmlab-w", 8);
#define TAGGED()                        \
    do {                                \
        memcpy(buf + 8, &seq, 4);       \
        seq++;                          \
        SEND();                         \
    } while (0)
    VMMLAB_BEGIN();
    TAGGED();
    for (int i = 0; i < iterations; i++) {
        VMMLAB_ITERATION();
        TAGGED();
    }
    VMMLAB_ITERATION();
    VMMLAB_END();
    return 0;
}
