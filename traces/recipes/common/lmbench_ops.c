/*
 * lmbench-style process, file and VM operations, one operation per iteration, shaped
 * after the rows of Barham et al.'s (SOSP 2003) Tables 3-5, which ran lmbench:
 *
 *   null-call        getppid()
 *   null-io          read 1 byte from /dev/zero, then write 1 byte to /dev/null
 *   stat             stat() of a file
 *   open-close       open() then close() of a file
 *   fork             fork; the child exits; the parent waits
 *   exec             fork; the child execs a tiny static program that exits; wait
 *   sh               fork; the child runs /bin/sh -c that program; wait
 *   ctx P K          P processes in a ring of pipes pass a token; each touches K KB of
 *                    its own data before passing it on (one iteration = one hop)
 *   create K         create one file of K KB (open O_CREAT, write, close)
 *   delete K         unlink one file of K KB (created before the window)
 *   mmap K           mmap K KB of a file, touch one byte every 16 KB, munmap
 *   prot-fault       write to a read-only page; the SIGSEGV handler makes it writable
 *   page-fault       first read of a page of a mapped file 256 KB past the last one
 *   sig-inst         sigaction() installing a SIGUSR1 handler (lmbench lat_sig install)
 *   sig-hndl         kill() of SIGUSR1 to itself: delivery, the handler, sigreturn
 *                    (lmbench lat_sig catch)
 *   select N         select() with a zero timeout on the write set of N connected TCP
 *                    sockets on the loopback interface (lmbench lat_select -n N tcp: every
 *                    socket is writable, so the kernel polls all N each time)
 *
 * Usage: lmbench_ops OP WARMUP ITERATIONS [P] [K]
 * Markers: BEGIN after the warm-up, then ITERATIONS + 1 iteration markers (the first
 * ends the iteration the recorder drops), then END.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmmlab_marker.h"

static const char *self_path;
static char scratch[64 * 1024];
static volatile char *prot_page;

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void run_child(const char *prog, int use_shell)
{
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        if (use_shell) {
            char cmd[256];
            snprintf(cmd, sizeof cmd, "%s exit", prog);
            execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        } else {
            execl(prog, prog, "exit", (char *)NULL);
        }
        _exit(127);
    }
    waitpid(pid, NULL, 0);
}

static void on_segv(int sig)
{
    (void)sig;
    mprotect((void *)prot_page, 4096, PROT_READ | PROT_WRITE);
}

static volatile sig_atomic_t caught;

static void on_usr1(int sig)
{
    (void)sig;
    caught++;
}

/*
 * Opens `n` TCP connections to a listener on 127.0.0.1 and accepts them (the server ends
 * stay open outside the set, as lmbench's server process holds them); returns the
 * highest client descriptor and fills `set` with the client ends.
 */
static int tcp_set(int n, fd_set *set)
{
    int lst = socket(AF_INET, SOCK_STREAM, 0);
    if (lst < 0) die("socket");
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (bind(lst, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    socklen_t len = sizeof a;
    if (getsockname(lst, (struct sockaddr *)&a, &len) < 0) die("getsockname");
    if (listen(lst, 256) < 0) die("listen");
    FD_ZERO(set);
    int max = -1;
    for (int i = 0; i < n; i++) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0 || c >= FD_SETSIZE) die("socket");
        if (connect(c, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
        if (accept(lst, NULL, NULL) < 0) die("accept");
        FD_SET(c, set);
        if (c > max) max = c;
    }
    return max;
}

/* Runs `op` warmup + 1 + iterations times with the markers around the window. */
#define WINDOW(warmup, iterations, body)                 \
    do {                                                 \
        for (int w_ = 0; w_ < (warmup); w_++) { body; }  \
        VMMLAB_BEGIN();                                  \
        { body; }                                        \
        for (int i_ = 0; i_ < (iterations); i_++) {      \
            VMMLAB_ITERATION();                          \
            { body; }                                    \
        }                                                \
        VMMLAB_ITERATION();                              \
        VMMLAB_END();                                    \
    } while (0)

static void ring(int procs, int kb, int warmup, int iterations)
{
    int fds[16][2];
    if (procs < 2 || procs > 16) die("ring size");
    for (int i = 0; i < procs; i++)
        if (pipe(fds[i]) < 0) die("pipe");
    int last = warmup + 1 + iterations; /* hops carrying markers: warmup .. last */
    int me = 0;
    for (int i = 1; i < procs; i++) {
        pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid == 0) {
            me = i;
            break;
        }
    }
    int in = fds[me][0];
    int out = fds[(me + 1) % procs][1];
    size_t bytes = (size_t)kb * 1024;
    char *data = bytes ? malloc(bytes) : NULL;
    if (bytes) memset(data, me, bytes);
    if (me == 0) {
        int token = 0;
        if (write(out, &token, sizeof token) != sizeof token) die("write");
    }
    for (;;) {
        int token;
        if (read(in, &token, sizeof token) != sizeof token) break;
        if (token < 0) {
            if (write(out, &token, sizeof token) < 0) {}
            break;
        }
        volatile unsigned sum = 0;
        for (size_t j = 0; j < bytes; j += 64) sum += (unsigned char)data[j];
        if (token == warmup) VMMLAB_BEGIN();
        else if (token > warmup && token <= last) VMMLAB_ITERATION();
        if (token == last) {
            VMMLAB_END();
            token = -1;
        } else {
            token++;
        }
        if (write(out, &token, sizeof token) != sizeof token) break;
        if (token < 0) break;
    }
    if (me == 0) {
        for (int i = 1; i < procs; i++) wait(NULL);
    } else {
        exit(0);
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s OP WARMUP ITERATIONS [P] [K]\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "exit") == 0) return 0;
    self_path = "/proc/self/exe";
    const char *op = argv[1];
    int warmup = atoi(argv[2]);
    int iterations = atoi(argv[3]);
    int a4 = argc > 4 ? atoi(argv[4]) : 0;
    int a5 = argc > 5 ? atoi(argv[5]) : 0;
    int total = warmup + 1 + iterations;
    char exe[256];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) die("readlink");
    exe[n] = 0;

    if (strcmp(op, "null-call") == 0) {
        WINDOW(warmup, iterations, getppid());
    } else if (strcmp(op, "null-io") == 0) {
        int z = open("/dev/zero", O_RDONLY), nul = open("/dev/null", O_WRONLY);
        if (z < 0 || nul < 0) die("open /dev");
        char c;
        WINDOW(warmup, iterations, {
            if (read(z, &c, 1) != 1) die("read");
            if (write(nul, &c, 1) != 1) die("write");
        });
    } else if (strcmp(op, "stat") == 0) {
        struct stat st;
        WINDOW(warmup, iterations, stat(exe, &st));
    } else if (strcmp(op, "open-close") == 0) {
        WINDOW(warmup, iterations, {
            int fd = open(exe, O_RDONLY);
            if (fd < 0) die("open");
            close(fd);
        });
    } else if (strcmp(op, "fork") == 0) {
        WINDOW(warmup, iterations, {
            pid_t pid = fork();
            if (pid == 0) _exit(0);
            waitpid(pid, NULL, 0);
        });
    } else if (strcmp(op, "exec") == 0) {
        WINDOW(warmup, iterations, run_child(exe, 0));
    } else if (strcmp(op, "sh") == 0) {
        WINDOW(warmup, iterations, run_child(exe, 1));
    } else if (strcmp(op, "ctx") == 0) {
        ring(a4, a5, warmup, iterations);
    } else if (strcmp(op, "create") == 0 || strcmp(op, "delete") == 0) {
        size_t bytes = (size_t)a4 * 1024;
        char name[64];
        int k = 0;
        if (strcmp(op, "create") == 0) {
            WINDOW(warmup, iterations, {
                snprintf(name, sizeof name, "/tmp/f%d", k++);
                int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644);
                if (fd < 0) die("create");
                if (bytes && write(fd, scratch, bytes) != (ssize_t)bytes) die("write");
                close(fd);
            });
        } else {
            for (int j = 0; j < total; j++) {
                snprintf(name, sizeof name, "/tmp/f%d", j);
                int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644);
                if (fd < 0) die("create");
                if (bytes && write(fd, scratch, bytes) != (ssize_t)bytes) die("write");
                close(fd);
            }
            WINDOW(warmup, iterations, {
                snprintf(name, sizeof name, "/tmp/f%d", k++);
                if (unlink(name) < 0) die("unlink");
            });
        }
    } else if (strcmp(op, "mmap") == 0) {
        size_t bytes = (size_t)a4 * 1024;
        int fd = open("/tmp/map", O_CREAT | O_RDWR | O_TRUNC, 0644);
        if (fd < 0) die("open");
        for (size_t j = 0; j < bytes; j += sizeof scratch)
            if (write(fd, scratch, sizeof scratch) < 0) die("write");
        WINDOW(warmup, iterations, {
            volatile char *p = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
            if (p == MAP_FAILED) die("mmap");
            for (size_t j = 0; j < bytes; j += 16384) (void)p[j];
            munmap((void *)p, bytes);
        });
    } else if (strcmp(op, "prot-fault") == 0) {
        prot_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (prot_page == MAP_FAILED) die("mmap");
        prot_page[0] = 1;
        signal(SIGSEGV, on_segv);
        WINDOW(warmup, iterations, {
            mprotect((void *)prot_page, 4096, PROT_READ);
            prot_page[0]++;
        });
    } else if (strcmp(op, "sig-inst") == 0) {
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_usr1;
        sigemptyset(&sa.sa_mask);
        WINDOW(warmup, iterations, sigaction(SIGUSR1, &sa, &old));
    } else if (strcmp(op, "sig-hndl") == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_usr1;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGUSR1, &sa, NULL) < 0) die("sigaction");
        pid_t me = getpid();
        WINDOW(warmup, iterations, kill(me, SIGUSR1));
        if (caught != total) die("signals lost");
    } else if (strcmp(op, "select") == 0) {
        if (a4 < 1 || a4 > 200) die("select descriptors");
        fd_set set, work;
        int max = tcp_set(a4, &set);
        WINDOW(warmup, iterations, {
            struct timeval tv;
            tv.tv_sec = 0;
            tv.tv_usec = 0;
            work = set;
            if (select(max + 1, NULL, &work, NULL, &tv) != a4) die("select");
        });
    } else if (strcmp(op, "page-fault") == 0) {
        /*
         * lmbench's lat_pagefault maps a file read-only and shared and reads one word per
         * page: lmbench 2 walks it in 256 KB strides, lmbench 3 reads every page in a random
         * order. Linux's fault-around (filemap_map_pages) maps up to fault_around_bytes
         * (64 KB, 16 pages) of cached pages around each faulting address, so reading every
         * page takes a real fault only once per 16 pages. Reading one page every 256 KB, as
         * lmbench 2 does, makes every read a real fault (each one still maps its window of
         * neighbours, as it does under lmbench).
         */
        const size_t stride = 256 * 1024;
        size_t len = (size_t)total * stride;
        int fd = open("/tmp/pf", O_CREAT | O_RDWR | O_TRUNC, 0644);
        if (fd < 0) die("open");
        for (size_t j = 0; j < len; j += sizeof scratch)
            if (write(fd, scratch, sizeof scratch) != (ssize_t)sizeof scratch) die("write");
        volatile char *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) die("mmap");
        size_t k = 0;
        WINDOW(warmup, iterations, { (void)p[stride * k]; k++; });
    } else {
        fprintf(stderr, "unknown op %s\n", op);
        return 2;
    }
    return 0;
}
