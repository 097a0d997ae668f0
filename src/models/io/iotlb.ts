/**
 * An IOMMU's translation cache (IOTLB): set-associative with LRU replacement, tagged by
 * device and I/O-virtual page, in typed arrays so lookups allocate nothing. The IOMMU
 * consults it for every page a DMA touches; a miss costs a page walk.
 *
 * @module
 */

/** Tags are `device * DEVICE_STRIDE + page`, exact below 2^53 for 2^11 devices and 2^41 pages. */
const DEVICE_STRIDE = 2 ** 41;

/** A set-associative LRU cache of (device, page) translations. */
export class Iotlb {
  /** Total entries. */
  readonly entries: number;
  /** Entries per set. */
  readonly ways: number;
  readonly #sets: number;
  readonly #tags: Float64Array;
  readonly #stamps: Float64Array;
  #clock = 0;

  /** Creates an empty IOTLB; `entries` must be a multiple of `ways`. */
  constructor(entries: number, ways: number) {
    if (entries < 1 || ways < 1 || entries % ways !== 0) {
      throw new RangeError(`IOTLB of ${entries} entries cannot have ${ways} ways`);
    }
    this.entries = entries;
    this.ways = ways;
    this.#sets = entries / ways;
    this.#tags = new Float64Array(entries).fill(-1);
    this.#stamps = new Float64Array(entries);
  }

  /** Looks a translation up, filling it on a miss (evicting the set's least recently used); true on a hit. */
  access(device: number, page: number): boolean {
    const tag = device * DEVICE_STRIDE + page;
    const base = (page % this.#sets) * this.ways;
    const tags = this.#tags;
    const stamps = this.#stamps;
    const now = ++this.#clock;
    let victim = base;
    for (let i = base; i < base + this.ways; i++) {
      if (tags[i] === tag) {
        stamps[i] = now;
        return true;
      }
      if (stamps[i] < stamps[victim]) victim = i;
    }
    tags[victim] = tag;
    stamps[victim] = now;
    return false;
  }

  /** Drops every translation (an IOTLB invalidation). */
  flush(): void {
    this.#tags.fill(-1);
    this.#stamps.fill(0);
  }
}
