/**
 * Loading a user's model file (`vmmlab replay --model ./my_model.ts`): the file is
 * imported, and registers its models with `registerModel` as a built-in does; the engine
 * itself is not edited.
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../util/errors.ts";

/** Imports each model file; a missing or failing file is one {@link ConfigError} line. */
export async function loadModelFiles(paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    const abs = isAbsolute(p) ? p : resolve(Deno.cwd(), p);
    try {
      Deno.statSync(abs);
    } catch {
      throw new ConfigError("--model", `model file ${p} does not exist`);
    }
    try {
      await import(pathToFileURL(abs).href);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      const msg = (e as Error).message?.split("\n")[0] ?? String(e);
      throw new ConfigError("--model", `cannot load model file ${p}: ${msg}`);
    }
  }
}
