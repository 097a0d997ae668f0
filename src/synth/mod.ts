/**
 * Synthetic nanobenchmark recipes (Adams & Agesen 2006, Figure 4, as FrobOS runs them).
 *
 * @module
 */

export * from "./recipes.ts";
export * from "./synthesize.ts";
