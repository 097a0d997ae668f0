/**
 * `vmmlab models [FAMILY ..] [--model FILE ..] [--json]`: every registered model by family
 * with its summary, options (type, range, default, meaning) and the platform keys it reads,
 * all from what the models declared when they registered (src/engine/model_catalog.ts).
 *
 * @module
 */

import type { Command } from "npm:@commander-js/extra-typings@15.1.0";
import "../engine/builtins.ts";
import { catalogText, modelCatalog } from "../engine/model_catalog.ts";
import { FAMILIES, type Family } from "../engine/model.ts";
import { loadModelFiles } from "../engine/user_models.ts";
import { UsageError } from "../util/errors.ts";
import { printable } from "../util/printable.ts";
import { writeStdout } from "./output.ts";
import { collect } from "./settings.ts";

/** Registers `vmmlab models`. */
export function registerModelsCommand(program: Command): void {
  program
    .command("models")
    .description("list every model by family: summary, options and the platform keys it reads")
    .argument("[family...]", `families to list: ${FAMILIES.join(", ")} (default: all)`)
    .option("--model <file>", "also load a model file (repeatable)", collect, [] as string[])
    .option("--json", "print the catalogue as JSON")
    .action(async (families, o) => {
      for (const f of families) {
        if (!(FAMILIES as readonly string[]).includes(f)) {
          throw new UsageError(
            `unknown family ${JSON.stringify(printable(f))} (families: ${FAMILIES.join(", ")})`,
          );
        }
      }
      await loadModelFiles(o.model);
      const chosen = families.length > 0 ? families as Family[] : FAMILIES;
      const models = modelCatalog(FAMILIES.filter((f) => chosen.includes(f)));
      // Names and texts from a user's model file reach the terminal escaped.
      await writeStdout(
        o.json ? JSON.stringify(models, null, 2) + "\n" : printable(catalogText(models)),
      );
    });
}
