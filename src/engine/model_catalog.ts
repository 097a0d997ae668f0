/**
 * The catalogue of registered models, built only from what each model declared when it
 * registered (summary, options, platform keys): `vmmlab models` prints it, and the
 * reference section of docs/models.md is rendered from it (`deno task docs:models`), so the
 * documentation of an option cannot drift from the code that reads it.
 *
 * @module
 */

import { FAMILIES, type Family, modelInfo, modelNames } from "./model.ts";
import { defaultText, describeRange, type OptionDecl } from "./options.ts";

/** One option as the catalogue shows it. */
export interface CatalogOption {
  /** Dotted key (`bt.tc-capacity`). */
  key: string;
  /** Declared type. */
  type: OptionDecl["type"];
  /** Default, in words. */
  default: string;
  /** What values it accepts, in words. */
  range: string;
  /** Unit, when declared. */
  unit?: string;
  /** One-line documentation. */
  doc: string;
}

/** One model as the catalogue shows it. */
export interface CatalogModel {
  /** Family. */
  family: Family;
  /** Registered name. */
  name: string;
  /** One-line summary. */
  summary: string;
  /** Options, sorted by key. */
  options: CatalogOption[];
  /** Platform keys it reads, in declared order. */
  costs: string[];
}

/** Every registered model (families in engine order, names sorted), or those of `families`. */
export function modelCatalog(families: readonly Family[] = FAMILIES): CatalogModel[] {
  const out: CatalogModel[] = [];
  for (const family of families) {
    for (const name of modelNames(family)) {
      const info = modelInfo(family, name);
      const decls = info.options ?? {};
      out.push({
        family,
        name,
        summary: info.summary,
        options: Object.keys(decls).sort().map((key) => {
          const d = decls[key];
          return {
            key,
            type: d.type,
            default: defaultText(d),
            range: describeRange(d),
            ...(d.type === "number" || d.type === "integer") && d.unit ? { unit: d.unit } : {},
            doc: d.doc,
          };
        }),
        costs: [...new Set(info.costs ?? [])],
      });
    }
  }
  return out;
}

/** The catalogue as terminal text: a block per model, an indented line per option. */
export function catalogText(models: readonly CatalogModel[]): string {
  const lines: string[] = [];
  let family: Family | undefined;
  for (const m of models) {
    if (m.family !== family) {
      if (family !== undefined) lines.push("");
      lines.push(`${m.family} models`);
      family = m.family;
    }
    lines.push("", `  ${m.name}: ${m.summary}`);
    if (m.options.length > 0) {
      lines.push("    options:");
      for (const o of m.options) {
        const unit = o.unit ? ` ${o.unit}` : "";
        lines.push(`      ${o.key} (${o.range}${unit}; default ${o.default})`);
        lines.push(`          ${o.doc}`);
      }
    }
    if (m.costs.length > 0) lines.push(`    platform keys: ${m.costs.join(", ")}`);
  }
  return lines.join("\n") + "\n";
}

/** A Markdown table cell: pipes escaped, kept on one line. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

/** The catalogue as the Markdown reference section of docs/models.md. */
export function catalogMarkdown(models: readonly CatalogModel[]): string {
  const out: string[] = [];
  let family: Family | undefined;
  for (const m of models) {
    if (m.family !== family) {
      out.push(`### ${m.family} models`, "");
      family = m.family;
    }
    out.push(`#### \`${m.family} ${m.name}\``, "", m.summary, "");
    if (m.options.length > 0) {
      out.push("| option | accepts | default | meaning |", "| --- | --- | --- | --- |");
      for (const o of m.options) {
        const accepts = o.unit ? `${o.range} (${o.unit})` : o.range;
        out.push(
          `| \`${o.key}\` | ${cell(accepts)} | ${cell(o.default)} | ${cell(o.doc)} |`,
        );
      }
      out.push("");
    }
    if (m.costs.length > 0) {
      out.push(`Platform keys: ${m.costs.map((k) => `\`${k}\``).join(", ")}.`, "");
    }
  }
  return out.join("\n");
}
