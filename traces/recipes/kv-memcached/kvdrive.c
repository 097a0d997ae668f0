/*
 * kvdrive: a memcached client that runs inside the guest and drives the server over TCP
 * on the loopback interface. It loads KEYS values of VALUE bytes (the dataset), then runs
 * PHASES phases of GETS gets each, 90% of them to a hot set of HOT keys and the rest to any
 * key; the hot set moves by half its size every phase, so the pages the server touches
 * shift over time. After the load and after every phase it asks the recorder for a
 * page-content snapshot. In phase WPHASE, after a tenth of its gets, it marks the recorded
 * window: ITERS iterations of PER gets each.
 *
 * Keys and the choice of key come from a fixed-seed generator: every run asks the same
 * questions in the same order.
 *
 * usage: kvdrive KEYS VALUE HOT PHASES GETS WPHASE ITERS PER
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vmmlab_marker.h"

static int fd;
static char rbuf[1 << 16];
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next_u32(void)
{
    /* xorshift64*: deterministic, good enough to pick keys. */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static void die(const char *what)
{
    fprintf(stderr, "kvdrive: %s\n", what);
    exit(1);
}

static void send_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k <= 0) die("write failed");
        p += k;
        n -= (size_t)k;
    }
}

/* Reads until the buffer ends with `tail`; returns the bytes read. */
static size_t read_until(const char *tail)
{
    size_t have = 0, t = strlen(tail);
    for (;;) {
        ssize_t k = read(fd, rbuf + have, sizeof rbuf - have);
        if (k <= 0) die("read failed");
        have += (size_t)k;
        if (have >= t && memcmp(rbuf + have - t, tail, t) == 0) return have;
        if (have == sizeof rbuf) die("response too long");
    }
}

static void set_key(unsigned k, const char *value, unsigned len)
{
    char head[64];
    int n = snprintf(head, sizeof head, "set k%08u 0 0 %u\r\n", k, len);
    send_all(head, (size_t)n);
    send_all(value, len);
    send_all("\r\n", 2);
    size_t got = read_until("\r\n");
    if (got < 8 || memcmp(rbuf, "STORED", 6) != 0) die("set not stored");
}

static void get_key(unsigned k, unsigned len)
{
    char req[32];
    int n = snprintf(req, sizeof req, "get k%08u\r\n", k);
    send_all(req, (size_t)n);
    size_t got = read_until("END\r\n");
    if (got < len) die("get returned too little");
}

/* Asks the recorder for a page-content snapshot and waits for its answer. */
static void snapshot(int index)
{
    VMMLAB_MARK(7, 0);
    printf("vmmlab-snapshot %d\n", index);
    fflush(stdout);
    char line[16];
    if (!fgets(line, sizeof line, stdin)) die("no answer to the snapshot request");
}

int main(int argc, char **argv)
{
    if (argc != 9) die("usage: kvdrive KEYS VALUE HOT PHASES GETS WPHASE ITERS PER");
    unsigned keys = (unsigned)atoi(argv[1]), vlen = (unsigned)atoi(argv[2]);
    unsigned hot = (unsigned)atoi(argv[3]), phases = (unsigned)atoi(argv[4]);
    unsigned gets = (unsigned)atoi(argv[5]), wphase = (unsigned)atoi(argv[6]);
    unsigned iters = (unsigned)atoi(argv[7]), per = (unsigned)atoi(argv[8]);
    if (keys < 2 || vlen < 1 || vlen > 60000 || hot < 1 || hot > keys) die("bad sizes");

    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(11211);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* The server may still be starting: try for up to 5 s. */
    for (int tries = 0;; tries++) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) die("no socket");
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) break;
        close(fd);
        if (tries == 250) die("cannot connect");
        usleep(20000);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    /*
     * The dataset: printable pseudo-random values, different for every key (each is a
     * window of a 1 MiB random pool at a key-dependent offset, so loading costs the
     * server's work rather than the client's generator).
     */
    enum { POOL = 1 << 20 };
    char *pool = malloc(POOL + vlen);
    for (unsigned i = 0; i < POOL + vlen; i++) pool[i] = (char)('a' + next_u32() % 26);
    for (unsigned k = 0; k < keys; k++) {
        set_key(k, pool + (size_t)(((uint64_t)k * 7919u) % POOL), vlen);
    }
    snapshot(0);

    for (unsigned p = 0; p < phases; p++) {
        unsigned base = (unsigned)(((uint64_t)p * (hot / 2)) % keys);
        for (unsigned g = 0; g < gets; g++) {
            if (p == wphase && g == gets / 10) {
                VMMLAB_BEGIN();
                get_key(base, vlen); /* the arming operation, dropped */
                for (unsigned it = 0; it < iters; it++) {
                    VMMLAB_ITERATION();
                    for (unsigned j = 0; j < per; j++) {
                        uint32_t r = next_u32();
                        unsigned k = r % 10 != 0 ? (base + next_u32() % hot) % keys
                                                 : next_u32() % keys;
                        get_key(k, vlen);
                    }
                }
                VMMLAB_ITERATION();
                VMMLAB_END();
            }
            uint32_t r = next_u32();
            unsigned k = r % 10 != 0 ? (base + next_u32() % hot) % keys : next_u32() % keys;
            get_key(k, vlen);
        }
        snapshot((int)p + 1);
    }
    close(fd);
    return 0;
}
