/**
 * SVG → PNG with resvg compiled to WebAssembly, drawing text with the fonts shipped in
 * `assets/fonts/` only: a wasm renderer cannot see system fonts, and with no font at all
 * resvg silently drops every label, so the fonts are loaded explicitly and checked.
 *
 * @module
 */

import { initWasm, Resvg } from "npm:@resvg/resvg-wasm@2.6.2";
import { loadFonts } from "./fonts.ts";
import { FONT_FAMILY } from "./theme.ts";

let ready: Promise<Uint8Array[]> | undefined;

/** Loads the resvg wasm from node_modules and the shipped fonts, once per process. */
function prepare(): Promise<Uint8Array[]> {
  ready ??= (async () => {
    const wasmUrl = new URL("index_bg.wasm", import.meta.resolve("npm:@resvg/resvg-wasm@2.6.2"));
    await initWasm(await Deno.readFile(wasmUrl));
    const fonts = await loadFonts();
    return [fonts.regular, fonts.bold];
  })();
  return ready;
}

/** Options of {@link svgToPng}. */
export interface PngOptions {
  /** Scale factor over the SVG's own size (2 gives sharp figures on high-density screens). */
  zoom?: number;
}

/** An RGBA raster. */
export interface Pixels {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Row-major RGBA bytes, 4 per pixel. */
  rgba: Uint8Array;
}

function withImage<T>(
  svg: string,
  options: PngOptions,
  use: (image: { asPng(): Uint8Array; width: number; height: number; pixels: Uint8Array }) => T,
  fontBuffers: Uint8Array[],
): T {
  const resvg = new Resvg(svg, {
    font: {
      fontBuffers,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
      serifFamily: FONT_FAMILY,
      monospaceFamily: FONT_FAMILY,
    },
    fitTo: { mode: "zoom", value: options.zoom ?? 2 },
    background: "white",
  });
  try {
    const image = resvg.render();
    try {
      return use(image);
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}

/** Renders SVG text to PNG bytes with the shipped fonts; deterministic for given input. */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  const fontBuffers = await prepare();
  return withImage(svg, options, (image) => image.asPng(), fontBuffers);
}

/** Renders SVG text to raw RGBA pixels (what the PNG holds), for checks such as "text was drawn". */
export async function svgToPixels(svg: string, options: PngOptions = {}): Promise<Pixels> {
  const fontBuffers = await prepare();
  return withImage(
    svg,
    options,
    (image) => ({ width: image.width, height: image.height, rgba: image.pixels.slice() }),
    fontBuffers,
  );
}
