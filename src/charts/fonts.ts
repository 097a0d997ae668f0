/**
 * The fonts shipped in `assets/fonts/` (DejaVu Sans, regular and bold): read once per
 * process and shared by the PNG renderer, which draws with them, and the text metrics,
 * which lay out with them — so labels are placed for the glyphs that are actually drawn.
 *
 * @module
 */

const FONT_DIR = new URL("../../assets/fonts/", import.meta.url);

/** File names of the shipped fonts, relative to `assets/fonts/`. */
export const FONT_FILES = { regular: "DejaVuSans.ttf", bold: "DejaVuSans-Bold.ttf" } as const;

/** The raw bytes of the shipped fonts. */
export interface FontFiles {
  /** DejaVu Sans Book. */
  regular: Uint8Array;
  /** DejaVu Sans Bold. */
  bold: Uint8Array;
}

let fonts: Promise<FontFiles> | undefined;

/** Reads the shipped fonts, once per process. */
export function loadFonts(): Promise<FontFiles> {
  fonts ??= (async () => ({
    regular: await Deno.readFile(new URL(FONT_FILES.regular, FONT_DIR)),
    bold: await Deno.readFile(new URL(FONT_FILES.bold, FONT_DIR)),
  }))();
  return fonts;
}
