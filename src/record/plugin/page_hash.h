/*
 * The 64-bit page hash of the recorder's content samples, in C for the TCG plugin.
 *
 * It must give exactly the values of src/record/page_hash.ts's hashPage: the recorder
 * derives the all-zero page's hash (memory.zero-hash) and the pmemsave snapshots' hashes
 * there, and the memory models match those against the hashes this function writes into
 * the plugin's content samples. It lives in its own header so that page_hash_c_test.ts
 * can compile it into a small harness and compare the two on the same pages.
 *
 * Two 32-bit multiply-xorshift lanes over the page's 1024 little-endian words, each
 * finalised with an avalanche step; all arithmetic is modulo 2^32, as Math.imul is.
 */
#ifndef VMMLAB_PAGE_HASH_H
#define VMMLAB_PAGE_HASH_H

#include <stdint.h>

/* Words in a 4 KiB page. */
#define VMMLAB_PAGE_WORDS 1024

/* Hashes one page's words into its high (hi) and low (lo) 32 bits. */
static inline void hash_page(const uint32_t *w, uint32_t *hi, uint32_t *lo)
{
    uint32_t h1 = 0x9e3779b9u, h2 = 0x85ebca6bu;
    for (int i = 0; i < VMMLAB_PAGE_WORDS; i++) {
        h1 = (h1 ^ w[i]) * 0x01000193u;
        h1 ^= h1 >> 15;
        h2 = (h2 + w[i]) * 0xc2b2ae35u;
        h2 ^= h2 >> 13;
    }
    h1 = (h1 ^ (h1 >> 16)) * 0x85ebca6bu;
    h1 ^= h1 >> 13;
    h2 = (h2 ^ (h2 >> 16)) * 0x27d4eb2fu;
    h2 ^= h2 >> 15;
    *hi = h1;
    *lo = h2;
}

#endif
