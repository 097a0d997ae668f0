/**
 * Advance widths from a TrueType font: just enough of the format (table directory,
 * `head`, `hhea`, `hmtx`, and the format-4 Unicode `cmap`) to measure a string the way a
 * renderer lays it out, without kerning. Used so that vega's headless layout measures
 * text with the font the figures are drawn in instead of a fixed per-character guess.
 *
 * @module
 */

/** Advance widths of one font, by Unicode code point (Basic Multilingual Plane). */
export class FontMetrics {
  readonly #unitsPerEm: number;
  readonly #advances: Uint16Array;
  readonly #glyphOf: Map<number, number>;

  private constructor(unitsPerEm: number, advances: Uint16Array, glyphOf: Map<number, number>) {
    this.#unitsPerEm = unitsPerEm;
    this.#advances = advances;
    this.#glyphOf = glyphOf;
  }

  /** Parses a TrueType font; throws if a needed table is missing or malformed. */
  static parse(bytes: Uint8Array): FontMetrics {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const tables = new Map<string, number>();
    const count = view.getUint16(4);
    for (let i = 0; i < count; i++) {
      const entry = 12 + 16 * i;
      const tag = String.fromCharCode(...bytes.subarray(entry, entry + 4));
      tables.set(tag, view.getUint32(entry + 8));
    }
    const table = (tag: string): number => {
      const offset = tables.get(tag);
      if (offset === undefined) throw new Error(`Font has no ${tag} table`);
      return offset;
    };
    const unitsPerEm = view.getUint16(table("head") + 18);
    const hMetrics = view.getUint16(table("hhea") + 34);
    const maxp = table("maxp");
    const glyphs = view.getUint16(maxp + 4);
    const hmtx = table("hmtx");
    const advances = new Uint16Array(glyphs);
    for (let g = 0; g < glyphs; g++) {
      advances[g] = view.getUint16(hmtx + 4 * Math.min(g, hMetrics - 1));
    }
    return new FontMetrics(unitsPerEm, advances, parseCmap4(view, table("cmap")));
  }

  /** Font units per em (2048 for DejaVu Sans). */
  get unitsPerEm(): number {
    return this.#unitsPerEm;
  }

  /** Advance of one code point in font units (the missing-glyph advance if unmapped). */
  advance(codePoint: number): number {
    return this.#advances[this.#glyphOf.get(codePoint) ?? 0];
  }

  /** Width of `text` at `fontSize` pixels: the sum of its advances, no kerning. */
  width(text: string, fontSize: number): number {
    let units = 0;
    for (const ch of text) units += this.advance(ch.codePointAt(0)!);
    return (units * fontSize) / this.#unitsPerEm;
  }
}

/** Code point → glyph id from the Windows Unicode BMP (3,1) or Unicode (0,3) format-4 subtable. */
function parseCmap4(view: DataView, cmap: number): Map<number, number> {
  const records = view.getUint16(cmap + 2);
  let sub = -1;
  for (let i = 0; i < records; i++) {
    const record = cmap + 4 + 8 * i;
    const platform = view.getUint16(record);
    const encoding = view.getUint16(record + 2);
    const offset = cmap + view.getUint32(record + 4);
    if (view.getUint16(offset) !== 4) continue;
    if ((platform === 3 && encoding === 1) || (platform === 0 && sub < 0)) sub = offset;
  }
  if (sub < 0) throw new Error("Font has no format-4 Unicode cmap");
  const segments = view.getUint16(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  const map = new Map<number, number>();
  for (let s = 0; s < segments; s++) {
    const end = view.getUint16(ends + 2 * s);
    const start = view.getUint16(starts + 2 * s);
    const delta = view.getInt16(deltas + 2 * s);
    const rangeAt = rangeOffsets + 2 * s;
    const range = view.getUint16(rangeAt);
    for (let c = start; c <= end && c !== 0xffff; c++) {
      let glyph: number;
      if (range === 0) {
        glyph = (c + delta) & 0xffff;
      } else {
        const raw = view.getUint16(rangeAt + range + 2 * (c - start));
        glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
      }
      if (glyph !== 0) map.set(c, glyph);
    }
  }
  return map;
}
