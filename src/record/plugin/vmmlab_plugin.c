/*
 * vmmlab TCG plugin: records a window of guest execution between marker NOPs as a
 * compact binary stream that src/record/convert.ts converts into a .vmt trace.
 *
 * Written for the QEMU 7.2 plugin API (plugin API version 1). Debian ships no plugin
 * header, so the few types and functions this plugin uses are declared below, from the
 * symbols `nm -D qemu-system-x86_64` lists and the documented calling conventions.
 *
 * Markers: the guest executes `nopl 0x4D56AAOO(%rax)` (bytes 0F 1F 80 OO AA 56 4D), where
 * OO is the marker op (1 begin, 2 end, 3 iteration, 4/5 region begin/end, 6 point,
 * 7 snapshot) and AA an 8-bit argument. Until the begin marker only marker
 * instructions are instrumented; at the begin marker the plugin resets itself and from
 * then on instruments every instruction.
 *
 * Stream records (little-endian; see convert.ts for the reader):
 *   0x01 TBDEF  u32 id, u64 vaddr, u16 n, n x (u8 len, len bytes)
 *   0x02 EXEC   u32 id                       a translation block started
 *   0x03 CUT    u16 started                  the previous block stopped after `started` insns
 *   0x04 REP    u64 pc, u8 op, u8 size, u8 flags, u32 count, u64 addr, u64 paddr
 *   0x05 MARK   u8 op, u8 arg, u64 started-instruction count
 *   0x06 END
 *   0x80-0x9f MEM  (0x80 | log2 size | store << 3 | io << 4), u16 insn index in its block,
 *                  u64 vaddr, u64 paddr (all ones when QEMU could not say)
 *
 * Addresses of a 32-bit guest (target i386, argument split=KERNEL_BASE) are written
 * sign-extended from the kernel base up, so kernel addresses are negative as on x86-64.
 *
 * Page-access summaries (plugin argument pages=PATH, optional interval=N and ram_mib=M):
 * from the marker op 8 (summary begin) the plugin instruments every instruction of the
 * run with a cheap memory callback that sets a bit per guest-physical page touched and
 * dirtied; every N guest instructions (default 50 M) it writes the interval's pages as
 * runs into a second file. The full instruction window (begin .. end markers) may lie
 * anywhere inside; after the end marker the summary goes on until op 9 (summary end) or
 * exit. Page-file records (little-endian; see page_summary.ts for the reader):
 *   'I' u64 instructions at the interval's end (from the summary begin), u32 n,
 *       n x (u32 first page, u32 pages, u8 flags: 1 touched, 2 dirtied)
 *   'M' u8 op, u8 arg, u64 instructions (markers seen while summarising)
 *   'H' u64 instructions (from the summary begin), u32 n,
 *       n x (u32 page, u32 hash high, u32 hash low)   (content sample, see below)
 *
 * Content samples (plugin argument hash_every=K, with pages= and ram_mib=): the guest's
 * RAM must be QEMU's memory-backend-memfd (the recorder passes it), which QEMU maps into
 * its own address space, so the plugin, running in that process, reads guest-physical
 * page P at the mapping's offset P * 4096 (a pc machine maps RAM below 4 GiB from
 * offset 0 at address 0). At the summary begin it hashes every RAM page; then at every
 * K-th interval end, at every snapshot marker (op 7) outside the window and at the summary
 * end it hashes the pages the CPU dirtied since the previous sample and writes those whose
 * hash changed. The vCPU thread is inside a plugin callback meanwhile, so the guest is
 * stopped at an exact instruction count; nothing is copied or written to a file besides
 * the hashes. The hash is page_hash.h's hash_page, which page_hash_c_test.ts checks against
 * page_hash.ts's hashPage.
 *
 * The plugin also writes one line per marker, and one per executed MOV to CR3, into QEMU's
 * log (-d plugin), so the recorder can align the -d int and memory_region_ops side
 * channels with the stream and take each new CR3 value from the next logged exception.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>

#include "page_hash.h"

/* ---- The project's declarations of the QEMU 7.2 plugin interface (API version 1). ---- */
typedef uint64_t vm_plugin_id;
typedef uint32_t vm_meminfo;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_plugin_hwaddr;

/* Leading fields of the info block QEMU passes to the install function. */
struct vm_qemu_info {
    const char *target_name;
    struct { int min; int cur; } version;
    bool system_emulation;
};

enum { VM_CB_NO_REGS = 0 };
enum { VM_MEM_R = 1, VM_MEM_W = 2, VM_MEM_RW = 3 };
enum { VM_INLINE_ADD_U64 = 0 };

typedef void (*vm_simple_cb)(vm_plugin_id id);
typedef void (*vm_udata_cb)(vm_plugin_id id, void *udata);
typedef void (*vm_vcpu_udata_cb)(unsigned int vcpu, void *udata);
typedef void (*vm_tb_trans_cb)(vm_plugin_id id, struct qemu_plugin_tb *tb);
typedef void (*vm_mem_cb)(unsigned int vcpu, vm_meminfo info, uint64_t vaddr, void *udata);

extern void qemu_plugin_register_vcpu_tb_trans_cb(vm_plugin_id id, vm_tb_trans_cb cb);
extern void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, vm_vcpu_udata_cb cb,
                                                 int flags, void *udata);
extern void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                                   vm_vcpu_udata_cb cb, int flags, void *udata);
extern void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, int op,
                                                       void *ptr, uint64_t imm);
extern void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn, vm_mem_cb cb,
                                             int flags, int rw, void *udata);
extern void qemu_plugin_register_atexit_cb(vm_plugin_id id, vm_udata_cb cb, void *udata);
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
extern uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
extern struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
                                                        size_t idx);
extern const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
extern size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
extern uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
extern unsigned int qemu_plugin_mem_size_shift(vm_meminfo info);
extern bool qemu_plugin_mem_is_store(vm_meminfo info);
extern struct qemu_plugin_hwaddr *qemu_plugin_get_hwaddr(vm_meminfo info, uint64_t vaddr);
extern bool qemu_plugin_hwaddr_is_io(const struct qemu_plugin_hwaddr *haddr);
extern uint64_t qemu_plugin_hwaddr_phys_addr(const struct qemu_plugin_hwaddr *haddr);
extern void qemu_plugin_reset(vm_plugin_id id, vm_simple_cb cb);
extern void qemu_plugin_outs(const char *string);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* ---- Output buffer. ---- */
#define OUT_CAP (8u << 20)
static uint8_t *out_buf;
static size_t out_len;
static int out_fd = -1;

static void out_flush(void)
{
    size_t done = 0;
    while (done < out_len) {
        ssize_t n = write(out_fd, out_buf + done, out_len - done);
        if (n <= 0) {
            fprintf(stderr, "vmmlab plugin: cannot write the stream\n");
            exit(1);
        }
        done += (size_t)n;
    }
    out_len = 0;
}

static inline uint8_t *out_reserve(size_t n)
{
    if (out_len + n > OUT_CAP) out_flush();
    uint8_t *p = out_buf + out_len;
    out_len += n;
    return p;
}

static inline void put_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/*
 * A 32-bit guest (arg split=ADDR, the kernel base, e.g. 0xc0000000): its kernel half is
 * written sign-extended from the split up, so that, as on x86-64, kernel addresses read as
 * negative 64-bit values (docs/trace-format.md, "Addresses"). 0 on x86-64: unchanged.
 */
static uint64_t split;

static inline uint64_t gva(uint64_t va)
{
    return split && va >= split && va <= 0xffffffffull ? va | 0xffffffff00000000ull : va;
}

/* ---- State. ---- */
enum { ST_WAITING = 0, ST_RECORDING = 1, ST_DONE = 2, ST_SUMMARY = 3 };
static int state = ST_WAITING;
static vm_plugin_id self_id;
static uint64_t started; /* instructions started while recording (inline counter) */
static uint32_t next_tb_id;
static uint64_t marks;

struct tb_info {
    uint32_t id;
    uint16_t n;
    uint8_t rep_only; /* the block is a lone repeated string instruction */
    uint64_t vaddr;
};

struct rep_info {
    uint64_t pc;
    uint8_t op;   /* StringOp: 1 movs 2 stos 3 lods 4 cmps 5 scas 6 ins 7 outs */
    uint8_t primary_store; /* the access that counts iterations is a store */
};

/* The block that started last, and the instruction count at its start. */
static const struct tb_info *cur_tb;
static uint64_t cur_tb_start;

/* An open repeated-string record. */
static bool rep_open;
static uint64_t rep_pc, rep_addr, rep_paddr, rep_next_paddr;
static uint32_t rep_count;
static uint8_t rep_op, rep_size, rep_flags;

static void rep_flush(void)
{
    if (!rep_open) return;
    uint8_t *p = out_reserve(1 + 8 + 3 + 4 + 16);
    p[0] = 0x04;
    put_u64(p + 1, rep_pc);
    p[9] = rep_op;
    p[10] = rep_size;
    p[11] = rep_flags;
    put_u32(p + 12, rep_count);
    put_u64(p + 16, rep_addr);
    put_u64(p + 24, rep_paddr);
    rep_open = false;
}

/* Writes a CUT record when the current block stopped before its last instruction. */
static void cut_current_tb(void)
{
    if (!cur_tb) return;
    uint64_t ran = started - cur_tb_start;
    if (ran < cur_tb->n) {
        uint8_t *p = out_reserve(3);
        p[0] = 0x03;
        put_u16(p + 1, (uint16_t)ran);
    }
}

/* ---- Page-access summaries. ---- */
static int pages_fd = -1;
static bool summarising;        /* between summary begin and summary end */
static uint64_t sum_insns;      /* instructions since the summary began, outside the window */
static uint64_t sum_base;       /* sum_insns when the window began */
static uint64_t interval_len = 50000000ull;
static uint64_t next_interval;
static uint64_t ram_pages = 262144; /* 1 GiB by default; pages above are not summarised */
static uint64_t *touched_bits, *dirty_bits;
static uint8_t pbuf[1 << 16];
static size_t plen;

/* ---- Content samples. ---- */
static uint64_t hash_every;     /* intervals per content sample; 0: no samples */
static uint64_t ram_bytes;      /* guest RAM size (ram_mib) */
static const uint32_t *ram_base; /* QEMU's mapping of the memfd RAM backend, found lazily */
static uint64_t *hash_dirty_bits; /* pages dirtied since the previous sample */
static uint32_t *page_hashes;   /* last hash of each RAM page (hi, lo), 0:0 until hashed */
static uint8_t *hash_known;     /* whether a page has a hash yet */
static uint64_t intervals_since_sample;

static void pages_flush(void)
{
    size_t done = 0;
    while (done < plen) {
        ssize_t n = write(pages_fd, pbuf + done, plen - done);
        if (n <= 0) {
            fprintf(stderr, "vmmlab plugin: cannot write the page summary\n");
            exit(1);
        }
        done += (size_t)n;
    }
    plen = 0;
}

static uint8_t *pages_reserve(size_t n)
{
    if (plen + n > sizeof pbuf) pages_flush();
    uint8_t *p = pbuf + plen;
    plen += n;
    return p;
}

/* Instructions since the summary began, whichever state counts them now. */
static uint64_t summary_now(void)
{
    return state == ST_RECORDING ? sum_base + started : sum_insns;
}

static inline void page_touch(uint64_t paddr, bool store)
{
    uint64_t page = paddr >> 12;
    if (page >= ram_pages) return;
    touched_bits[page >> 6] |= 1ull << (page & 63);
    if (store) dirty_bits[page >> 6] |= 1ull << (page & 63);
}

/*
 * Finds QEMU's mapping of the guest RAM: the memfd backend's mapping of offset 0 and at
 * least the RAM's size. Exits QEMU when it is missing: a recording without it would
 * silently lack the content samples it asked for.
 */
static void find_ram(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        unsigned long long lo, hi, off;
        char perms[8];
        if (sscanf(line, "%llx-%llx %7s %llx", &lo, &hi, perms, &off) != 4) continue;
        if (!strstr(line, "memfd:memory-backend-memfd") || off != 0 || perms[0] != 'r') continue;
        if (hi - lo < ram_bytes) continue;
        ram_base = (const uint32_t *)(uintptr_t)lo;
        break;
    }
    if (f) fclose(f);
    if (!ram_base) {
        fprintf(stderr, "vmmlab plugin: hash_every needs the guest RAM on memory-backend-memfd\n");
        exit(1);
    }
}

/*
 * Writes a content sample: every RAM page (all) or the pages dirtied since the previous
 * sample, of those only the ones whose hash changed (or was never written).
 */
static void content_sample(bool all)
{
    if (!hash_every) return;
    if (!ram_base) find_ram();
    uint64_t pages = ram_bytes >> 12;
    uint64_t now = summary_now();
    uint32_t n = 0;
    /* Pass 0 hashes and counts the changed pages (new hashes kept aside in hash_dirty_bits:
     * a bit stays set only for changed pages); pass 1 writes them. */
    for (uint64_t page = 0; page < pages; page++) {
        uint64_t w = page >> 6, b = 1ull << (page & 63);
        if (!all && !(hash_dirty_bits[w] & b)) {
            if (hash_dirty_bits[w] == 0) page |= 63;
            continue;
        }
        uint32_t hi, lo;
        hash_page(ram_base + page * 1024, &hi, &lo);
        if (hash_known[page] && page_hashes[2 * page] == hi && page_hashes[2 * page + 1] == lo) {
            hash_dirty_bits[w] &= ~b;
            continue;
        }
        page_hashes[2 * page] = hi;
        page_hashes[2 * page + 1] = lo;
        hash_known[page] = 1;
        hash_dirty_bits[w] |= b;
        n++;
    }
    uint8_t *h = pages_reserve(13);
    h[0] = 'H';
    put_u64(h + 1, now);
    put_u32(h + 9, n);
    for (uint64_t page = 0; page < pages; page++) {
        uint64_t w = page >> 6, b = 1ull << (page & 63);
        if (!(hash_dirty_bits[w] & b)) {
            if (hash_dirty_bits[w] == 0) page |= 63;
            continue;
        }
        uint8_t *r = pages_reserve(12);
        put_u32(r, (uint32_t)page);
        put_u32(r + 4, page_hashes[2 * page]);
        put_u32(r + 8, page_hashes[2 * page + 1]);
    }
    memset(hash_dirty_bits, 0, (size_t)((pages + 63) / 64) * 8);
    intervals_since_sample = 0;
}

static inline int page_flags(uint64_t page)
{
    uint64_t w = page >> 6, b = 1ull << (page & 63);
    return ((touched_bits[w] & b) ? 1 : 0) | ((dirty_bits[w] & b) ? 2 : 0);
}

/* Writes the interval ending now as runs of equal flags, and clears the bitmaps. */
static void emit_interval(uint64_t now)
{
    size_t words = (size_t)((ram_pages + 63) / 64);
    uint32_t runs = 0;
    /* Count first, so the record's length is known before its runs. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            uint8_t *h = pages_reserve(13);
            h[0] = 'I';
            put_u64(h + 1, now);
            put_u32(h + 9, runs);
        }
        uint64_t page = 0;
        while (page < ram_pages) {
            if (touched_bits[page >> 6] == 0) {
                page = (page | 63) + 1;
                continue;
            }
            int f = page_flags(page);
            if (f == 0) {
                page++;
                continue;
            }
            uint64_t first = page;
            while (page < ram_pages && page_flags(page) == f) page++;
            if (pass == 0) {
                runs++;
            } else {
                uint8_t *r = pages_reserve(9);
                put_u32(r, (uint32_t)first);
                put_u32(r + 4, (uint32_t)(page - first));
                r[8] = (uint8_t)f;
            }
        }
    }
    if (hash_every) {
        size_t hw = (size_t)(((ram_bytes >> 12) + 63) / 64);
        for (size_t i = 0; i < hw && i < words; i++) hash_dirty_bits[i] |= dirty_bits[i];
        intervals_since_sample++;
    }
    memset(touched_bits, 0, words * 8);
    memset(dirty_bits, 0, words * 8);
}

static void summary_check(void)
{
    uint64_t now = summary_now();
    if (now >= next_interval) {
        emit_interval(now);
        next_interval = now + interval_len;
        if (hash_every && intervals_since_sample >= hash_every) content_sample(false);
    }
}

static void summary_mark(int op, int arg)
{
    uint8_t *p = pages_reserve(11);
    p[0] = 'M';
    p[1] = (uint8_t)op;
    p[2] = (uint8_t)arg;
    put_u64(p + 3, summary_now());
}

static void summary_mem(unsigned int vcpu, vm_meminfo info, uint64_t vaddr, void *udata)
{
    (void)vcpu;
    (void)udata;
    if (state != ST_SUMMARY) return;
    struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
    if (!hw || qemu_plugin_hwaddr_is_io(hw)) return;
    page_touch(qemu_plugin_hwaddr_phys_addr(hw), qemu_plugin_mem_is_store(info));
}

static void summary_tb(unsigned int vcpu, void *udata)
{
    (void)vcpu;
    (void)udata;
    if (state == ST_SUMMARY) summary_check();
}

static void tb_exec(unsigned int vcpu, void *udata)
{
    (void)vcpu;
    const struct tb_info *tb = udata;
    if (state != ST_RECORDING) return;
    if (summarising) summary_check();
    if (tb->rep_only && rep_open && rep_pc == tb->vaddr) {
        /* Another iteration of the same repeated string instruction. */
        cur_tb = tb;
        cur_tb_start = started;
        return;
    }
    rep_flush();
    cut_current_tb();
    uint8_t *p = out_reserve(5);
    p[0] = 0x02;
    put_u32(p + 1, tb->id);
    cur_tb = tb;
    cur_tb_start = started;
}

static void mem_access(unsigned int vcpu, vm_meminfo info, uint64_t vaddr, void *udata)
{
    (void)vcpu;
    if (state != ST_RECORDING) return;
    struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
    uint64_t paddr = hw ? qemu_plugin_hwaddr_phys_addr(hw) : UINT64_MAX;
    bool io = hw ? qemu_plugin_hwaddr_is_io(hw) : false;
    if (summarising && hw && !io) page_touch(paddr, qemu_plugin_mem_is_store(info));
    uint8_t *p = out_reserve(19);
    p[0] = (uint8_t)(0x80 | (qemu_plugin_mem_size_shift(info) & 7) |
                     (qemu_plugin_mem_is_store(info) ? 8 : 0) | (io ? 16 : 0));
    put_u16(p + 1, (uint16_t)(uintptr_t)udata);
    put_u64(p + 3, gva(vaddr));
    put_u64(p + 11, paddr);
}

static uint64_t cr3_writes;


static void cr3_exec(unsigned int vcpu, void *udata)
{
    (void)vcpu;
    (void)udata;
    if (state != ST_RECORDING) return;
    char line[64];
    snprintf(line, sizeof line, "vmmlab-cr3 %llu\n", (unsigned long long)cr3_writes++);
    qemu_plugin_outs(line);
}

/* Whether the instruction is MOV to CR3 (0F 22 with ModRM.reg = 3). */
static bool is_cr3_write(const uint8_t *b, size_t len)
{
    size_t i = 0;
    while (i < len && (b[i] == 0x66 || b[i] == 0x67 || b[i] == 0xf2 || b[i] == 0xf3 ||
                       (b[i] >= 0x40 && b[i] <= 0x4f)))
        i++;
    return i + 2 < len && b[i] == 0x0f && b[i + 1] == 0x22 && ((b[i + 2] >> 3) & 7) == 3;
}

static void rep_access(unsigned int vcpu, vm_meminfo info, uint64_t vaddr, void *udata);

static void marker_exec(unsigned int vcpu, void *udata);

static void tb_trans(vm_plugin_id id, struct qemu_plugin_tb *tb);

static void after_reset(vm_plugin_id id)
{
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
}

static bool is_marker(const uint8_t *b, size_t len)
{
    return len == 7 && b[0] == 0x0f && b[1] == 0x1f && b[2] == 0x80 && b[5] == 0x56 &&
           b[6] == 0x4d;
}

/* The StringOp of a repeated string instruction, or 0. */
static int rep_string_op(const uint8_t *b, size_t len, bool *primary_store)
{
    size_t i = 0;
    bool rep = false;
    while (i < len) {
        uint8_t c = b[i];
        if (c == 0xf2 || c == 0xf3) rep = true;
        else if (!(c == 0x66 || c == 0x67 || c == 0x2e || c == 0x3e || c == 0x26 ||
                   c == 0x36 || c == 0x64 || c == 0x65 || c == 0xf0 || (c >= 0x40 && c <= 0x4f)))
            break;
        i++;
    }
    if (!rep || i >= len) return 0;
    switch (b[i]) {
    case 0xa4: case 0xa5: *primary_store = true; return 1;
    case 0xaa: case 0xab: *primary_store = true; return 2;
    case 0xac: case 0xad: *primary_store = false; return 3;
    case 0xa6: case 0xa7: *primary_store = false; return 4;
    case 0xae: case 0xaf: *primary_store = false; return 5;
    case 0x6c: case 0x6d: *primary_store = true; return 6;
    case 0x6e: case 0x6f: *primary_store = false; return 7;
    default: return 0;
    }
}

static void tb_trans(vm_plugin_id id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    if (state == ST_SUMMARY) {
        for (size_t i = 0; i < n; i++) {
            struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
            const uint8_t *b = qemu_plugin_insn_data(insn);
            qemu_plugin_register_vcpu_mem_cb(insn, summary_mem, VM_CB_NO_REGS, VM_MEM_RW, NULL);
            qemu_plugin_register_vcpu_insn_exec_inline(insn, VM_INLINE_ADD_U64, &sum_insns, 1);
            if (is_marker(b, qemu_plugin_insn_size(insn))) {
                uintptr_t code = (uintptr_t)b[3] | ((uintptr_t)b[4] << 8);
                qemu_plugin_register_vcpu_insn_exec_cb(insn, marker_exec, VM_CB_NO_REGS,
                                                       (void *)code);
            }
        }
        qemu_plugin_register_vcpu_tb_exec_cb(tb, summary_tb, VM_CB_NO_REGS, NULL);
        return;
    }
    if (state != ST_RECORDING) {
        if (state == ST_DONE) return;
        for (size_t i = 0; i < n; i++) {
            struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
            const uint8_t *b = qemu_plugin_insn_data(insn);
            if (is_marker(b, qemu_plugin_insn_size(insn))) {
                uintptr_t code = (uintptr_t)b[3] | ((uintptr_t)b[4] << 8);
                qemu_plugin_register_vcpu_insn_exec_cb(insn, marker_exec, VM_CB_NO_REGS,
                                                       (void *)code);
            }
        }
        return;
    }
    struct tb_info *info = malloc(sizeof *info);
    info->id = next_tb_id++;
    info->n = (uint16_t)n;
    info->vaddr = gva(qemu_plugin_tb_vaddr(tb));
    info->rep_only = 0;
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += qemu_plugin_insn_size(qemu_plugin_tb_get_insn(tb, i));
    uint8_t *p = out_reserve(1 + 4 + 8 + 2 + n + bytes);
    p[0] = 0x01;
    put_u32(p + 1, info->id);
    put_u64(p + 5, info->vaddr);
    put_u16(p + 13, (uint16_t)n);
    p += 15;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        const uint8_t *b = qemu_plugin_insn_data(insn);
        size_t len = qemu_plugin_insn_size(insn);
        *p++ = (uint8_t)len;
        memcpy(p, b, len);
        p += len;
        bool primary_store = false;
        int op = rep_string_op(b, len, &primary_store);
        if (op) {
            struct rep_info *ri = malloc(sizeof *ri);
            ri->pc = gva(qemu_plugin_insn_vaddr(insn));
            ri->op = (uint8_t)op;
            ri->primary_store = primary_store;
            if (n == 1) info->rep_only = 1;
            qemu_plugin_register_vcpu_mem_cb(insn, rep_access, VM_CB_NO_REGS, VM_MEM_RW,
                                             ri);
        } else {
            qemu_plugin_register_vcpu_mem_cb(insn, mem_access, VM_CB_NO_REGS, VM_MEM_RW,
                                             (void *)(uintptr_t)i);
        }
        if (is_cr3_write(b, len)) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, cr3_exec, VM_CB_NO_REGS, NULL);
        }
        qemu_plugin_register_vcpu_insn_exec_inline(insn, VM_INLINE_ADD_U64, &started, 1);
        if (is_marker(b, len)) {
            uintptr_t code = (uintptr_t)b[3] | ((uintptr_t)b[4] << 8);
            qemu_plugin_register_vcpu_insn_exec_cb(insn, marker_exec, VM_CB_NO_REGS,
                                                   (void *)code);
        }
    }
    qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, VM_CB_NO_REGS, info);
}

/*
 * Repeated string accesses: iterations whose physical addresses continue with a constant
 * stride collapse into one REP record; a page crossing to a non-adjacent frame starts a
 * new one. Only the access that advances the iteration counts (the store of movs, the
 * first load of each cmps pair).
 */
static int64_t rep_stride;
static uint32_t rep_phase;

static void rep_access(unsigned int vcpu, vm_meminfo info, uint64_t vaddr, void *udata)
{
    (void)vcpu;
    const struct rep_info *ri = udata;
    if (state != ST_RECORDING) return;
    bool store = qemu_plugin_mem_is_store(info);
    if (summarising) {
        struct qemu_plugin_hwaddr *h = qemu_plugin_get_hwaddr(info, vaddr);
        if (h && !qemu_plugin_hwaddr_is_io(h))
            page_touch(qemu_plugin_hwaddr_phys_addr(h), store);
    }
    if (store != ri->primary_store) return;
    bool same = rep_open && rep_pc == ri->pc;
    if (ri->op == 4) {
        if (same) {
            rep_phase ^= 1;
            if (rep_phase) return;
        } else {
            rep_phase = 0;
        }
    }
    struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
    uint64_t paddr = hw ? qemu_plugin_hwaddr_phys_addr(hw) : UINT64_MAX;
    bool io = hw ? qemu_plugin_hwaddr_is_io(hw) : false;
    uint8_t size = (uint8_t)(1u << qemu_plugin_mem_size_shift(info));
    if (same && rep_size == size && rep_count < 0x7fffffff) {
        if (rep_count == 1) {
            int64_t s = (int64_t)(paddr - rep_paddr);
            if (s == size || s == -(int64_t)size || (io && s == 0)) {
                rep_stride = s;
                rep_count = 2;
                rep_next_paddr = paddr + (uint64_t)s;
                return;
            }
        } else if (paddr == rep_next_paddr) {
            rep_count++;
            rep_next_paddr = paddr + (uint64_t)rep_stride;
            return;
        }
    }
    rep_flush();
    rep_open = true;
    rep_pc = ri->pc;
    rep_op = ri->op;
    rep_size = size;
    rep_flags = (uint8_t)((store ? 1 : 0) | (io ? 2 : 0));
    rep_count = 1;
    rep_addr = gva(vaddr);
    rep_paddr = paddr;
    rep_next_paddr = paddr;
    rep_stride = 0;
}

/* Host monotonic time in ns: only for the recorder's speed report, never in the trace. */
static unsigned long long host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* Logs a marker's line (op, arg, sequence number, host time) and writes its MARK record. */
static void emit_mark(int op, int arg)
{
    char line[96];
    snprintf(line, sizeof line, "vmmlab-mark %d %d %llu %llu\n", op, arg,
             (unsigned long long)marks++, host_ns());
    qemu_plugin_outs(line);
    uint8_t *p = out_reserve(11);
    p[0] = 0x05;
    p[1] = (uint8_t)op;
    p[2] = (uint8_t)arg;
    put_u64(p + 3, started);
}

static void marker_exec(unsigned int vcpu, void *udata)
{
    (void)vcpu;
    uintptr_t code = (uintptr_t)udata;
    int op = (int)(code & 0xff);
    int arg = (int)((code >> 8) & 0xff);
    if (op == 8 && pages_fd >= 0 && !summarising && (state == ST_WAITING || state == ST_DONE)) {
        /* Summary begin: re-translate everything with the page-summary callbacks. */
        summarising = true;
        state = ST_SUMMARY;
        next_interval = interval_len;
        summary_mark(op, arg);
        content_sample(true);
        qemu_plugin_reset(self_id, after_reset);
        return;
    }
    if (op == 9 && summarising && state != ST_RECORDING) {
        summary_mark(op, arg);
        emit_interval(summary_now());
        content_sample(false);
        summarising = false;
        pages_flush();
        state = ST_DONE;
        qemu_plugin_reset(self_id, after_reset);
        return;
    }
    if (state == ST_SUMMARY) {
        if (op != 1) {
            summary_mark(op, arg);
            if (op == 7) content_sample(false);
            return;
        }
        summary_mark(op, arg);
        sum_base = sum_insns;
        state = ST_RECORDING;
        emit_mark(op, arg);
        qemu_plugin_reset(self_id, after_reset);
        return;
    }
    if (state == ST_WAITING) {
        if (op != 1) return;
        state = ST_RECORDING;
        emit_mark(op, arg);
        /* Re-translate everything with full instrumentation. */
        qemu_plugin_reset(self_id, after_reset);
        return;
    }
    if (state != ST_RECORDING) return;
    emit_mark(op, arg);
    if (summarising) summary_mark(op, arg);
    if (op == 2) {
        rep_flush();
        cut_current_tb();
        uint8_t *e = out_reserve(1);
        e[0] = 0x06;
        if (summarising) {
            sum_insns = sum_base + started;
            state = ST_SUMMARY;
        } else {
            state = ST_DONE;
        }
        out_flush();
        fsync(out_fd);
        qemu_plugin_reset(self_id, after_reset);
    }
}

static void at_exit(vm_plugin_id id, void *udata)
{
    (void)id;
    (void)udata;
    if (state == ST_RECORDING) {
        rep_flush();
        uint8_t *e = out_reserve(1);
        e[0] = 0x06;
    }
    if (pages_fd >= 0) {
        if (summarising) emit_interval(summary_now());
        pages_flush();
        close(pages_fd);
        pages_fd = -1;
    }
    if (out_fd >= 0) {
        out_flush();
        close(out_fd);
        out_fd = -1;
    }
}

__attribute__((visibility("default"))) int qemu_plugin_install(vm_plugin_id id,
                                                               const struct vm_qemu_info *info,
                                                               int argc, char **argv)
{
    const char *path = NULL;
    const char *pages_path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0) path = argv[i] + 4;
        else if (strncmp(argv[i], "pages=", 6) == 0) pages_path = argv[i] + 6;
        else if (strncmp(argv[i], "interval=", 9) == 0) {
            interval_len = strtoull(argv[i] + 9, NULL, 10);
            if (interval_len < 1000) interval_len = 1000;
        } else if (strncmp(argv[i], "split=", 6) == 0) {
            split = strtoull(argv[i] + 6, NULL, 0);
        } else if (strncmp(argv[i], "ram_mib=", 8) == 0) {
            uint64_t mib = strtoull(argv[i] + 8, NULL, 10);
            if (mib < 1 || mib > (1u << 16)) {
                fprintf(stderr, "vmmlab plugin: ram_mib must be 1 to 65536\n");
                return -1;
            }
            /* Up to 1 GiB past the RAM size: x86 machines map RAM above 4 GiB after a hole. */
            ram_pages = mib * 256 + 262144;
            ram_bytes = mib << 20;
        } else if (strncmp(argv[i], "hash_every=", 11) == 0) {
            hash_every = strtoull(argv[i] + 11, NULL, 10);
            if (hash_every < 1 || hash_every > 1000000) {
                fprintf(stderr, "vmmlab plugin: hash_every must be 1 to 1000000\n");
                return -1;
            }
        }
    }
    if (pages_path) {
        pages_fd = open(pages_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (pages_fd < 0) {
            fprintf(stderr, "vmmlab plugin: cannot open %s\n", pages_path);
            return -1;
        }
        size_t words = (size_t)((ram_pages + 63) / 64);
        touched_bits = calloc(words, 8);
        dirty_bits = calloc(words, 8);
    }
    if (hash_every) {
        if (!pages_path || ram_bytes == 0) {
            fprintf(stderr, "vmmlab plugin: hash_every needs pages= and ram_mib=\n");
            return -1;
        }
        uint64_t pages = ram_bytes >> 12;
        hash_dirty_bits = calloc((size_t)((pages + 63) / 64), 8);
        page_hashes = calloc((size_t)pages * 2, 4);
        hash_known = calloc((size_t)pages, 1);
        if (!hash_dirty_bits || !page_hashes || !hash_known) {
            fprintf(stderr, "vmmlab plugin: out of memory for content samples\n");
            return -1;
        }
    }
    if (!path) {
        fprintf(stderr, "vmmlab plugin: missing out=PATH\n");
        return -1;
    }
    if (info && info->target_name) {
        bool i386 = strcmp(info->target_name, "i386") == 0;
        if (!i386 && strcmp(info->target_name, "x86_64") != 0) {
            fprintf(stderr, "vmmlab plugin: target %s is neither x86_64 nor i386\n",
                    info->target_name);
            return -1;
        }
        if (i386 != (split != 0)) {
            fprintf(stderr, "vmmlab plugin: an i386 target needs split=KERNEL_BASE, x86_64 none\n");
            return -1;
        }
    }
    out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out_fd < 0) {
        fprintf(stderr, "vmmlab plugin: cannot open %s\n", path);
        return -1;
    }
    out_buf = malloc(OUT_CAP);
    self_id = id;
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
