/*
 * A ttcp-like TCP bulk transfer (ttcp's defaults: 8192-byte buffers, one write() or one
 * buffer's worth of read()s per step) between the guest and a peer the recorder runs on
 * the host's loopback, reached through the guest's emulated NIC and QEMU's user-mode
 * network (slirp forwards HOST:PORT to the peer).
 *
 * Usage: ttcp t|r IFACE HOST PORT BUFLEN WARMUP ITERATIONS
 *
 * t: transmit (the peer discards); r: receive (the peer sends an endless stream). Before
 * connecting, TCP segmentation offload, generic segmentation offload and generic receive
 * offload are switched off on IFACE (SIOCETHTOOL), so every MTU-sized segment passes
 * through the stack and the driver on its own, as in the Linux 2.4 stacks of Barham et
 * al.'s Table 6 (GSO and GRO came with 2.6.18 and 2.6.29). WARMUP buffers open the
 * congestion window before the window; then one throw-away buffer (dropped by the
 * recorder) and ITERATIONS measured buffers, one per iteration marker. The socket's send
 * and receive buffers are set to 64 KiB (Linux 2.4's tcp_wmem and tcp_rmem maxima were
 * 128 KiB and 174 KiB; today's autotuning grows them to MiBs), so that after the warm-up
 * the sender waits for acknowledgements in every step and each iteration is one buffer of
 * the steady-state stream rather than a copy into a nearly empty socket buffer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vmmlab_marker.h"

static unsigned char buf[1 << 20];

static int offload_off(const char *iface, unsigned cmd)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return -1;
    struct ethtool_value v = { .cmd = cmd, .data = 0 };
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, iface, IFNAMSIZ - 1);
    ifr.ifr_data = (void *)&v;
    int r = ioctl(fd, SIOCETHTOOL, &ifr);
    close(fd);
    return r;
}

/* One step: write the whole buffer, or read until a buffer's worth has arrived. */
static int step(int fd, int transmit, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = transmit ? write(fd, buf + done, len - done) : read(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            perror(transmit ? "write" : "read");
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 8 || (argv[1][0] != 't' && argv[1][0] != 'r')) return 2;
    int transmit = argv[1][0] == 't';
    size_t len = (size_t)atol(argv[5]);
    int warmup = atoi(argv[6]);
    int iterations = atoi(argv[7]);
    if (len < 1 || len > sizeof buf || warmup < 0 || iterations < 1) return 2;
    if (offload_off(argv[2], ETHTOOL_STSO) != 0 || offload_off(argv[2], ETHTOOL_SGSO) != 0 ||
        offload_off(argv[2], ETHTOOL_SGRO) != 0) {
        perror("SIOCETHTOOL");
        return 1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    int sz = 65536;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz) != 0) {
        perror("setsockopt");
        return 1;
    }
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons((unsigned short)atoi(argv[4]));
    if (inet_pton(AF_INET, argv[3], &to.sin_addr) != 1) return 2;
    if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        perror("connect");
        return 1;
    }
    memset(buf, 0x5a, len);
    for (int i = 0; i < warmup; i++)
        if (step(fd, transmit, len) != 0) return 1;
    VMMLAB_BEGIN();
    if (step(fd, transmit, len) != 0) return 1;
    for (int i = 0; i < iterations; i++) {
        VMMLAB_ITERATION();
        if (step(fd, transmit, len) != 0) return 1;
    }
    VMMLAB_ITERATION();
    VMMLAB_END();
    close(fd);
    return 0;
}
