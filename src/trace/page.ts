/**
 * The x86 page sizes, once for the whole project: the trace format's addresses, the MMU
 * walkers, the memory models' page frames, the I/O models' DMA pages, the synthetic
 * recipes and the recorder all count in these units (a trace's header lists which sizes its
 * guest used).
 *
 * @module
 */

/** log2 of {@link PAGE_SIZE}: the bits of the offset within a base page. */
export const PAGE_SHIFT = 12;

/** The base page: 4 KB. */
export const PAGE_SIZE = 2 ** PAGE_SHIFT;

/** The large page of 64-bit paging, a level-2 leaf: 2 MB. */
export const LARGE_PAGE_SIZE = 2 ** 21;
