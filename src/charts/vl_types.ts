/**
 * Names for parts of a Vega-Lite spec, derived from the public `TopLevelSpec` type, so
 * spec builders can type their pieces without importing Vega-Lite's unstable internals.
 *
 * @module
 */

import type { TopLevelSpec } from "npm:vega-lite@6.5.0";

/** One layer of a layered spec: a unit spec (mark + encoding) or a nested layer. */
export type Layer = Extract<TopLevelSpec, { layer: unknown }>["layer"][number];

/** A unit spec: one mark with its encoding. */
export type UnitLayer = Extract<Layer, { mark: unknown }>;

/** The encoding of a unit spec. */
export type Encoding = NonNullable<UnitLayer["encoding"]>;

/** A definition of the x or y position channel. */
export type PositionDef = NonNullable<Encoding["x"]>;

/** A definition of the xOffset or yOffset channel. */
export type OffsetDef = NonNullable<Encoding["xOffset"]>;

/** A definition of the color channel. */
export type ColorDef = NonNullable<Encoding["color"]>;
