/**
 * Comparing two output folders of `vmmlab experiment`/`merge` as the determinism contract
 * states it: the same files, JSON identical outside its `host` sections, everything else
 * byte-identical.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { canonicalJson, withoutHost } from "../src/cli/experiment/canonical.ts";

/** Every file under `dir`, by relative path; JSON files without their host sections. */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  async function walk(path: string): Promise<void> {
    const entries = [];
    for await (const entry of Deno.readDir(path)) entries.push(entry);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(path, entry.name);
      if (entry.isDirectory) {
        await walk(full);
        continue;
      }
      assert.ok(!entry.name.endsWith(".tmp"), `temporary file left behind: ${full}`);
      const bytes = await Deno.readFile(full);
      const text = entry.name.endsWith(".json")
        ? canonicalJson(withoutHost(JSON.parse(new TextDecoder().decode(bytes))))
        : Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))).join(",");
      files.set(relative(dir, full), text);
    }
  }
  await walk(dir);
  return files;
}

/** Asserts two snapshots hold the same files with the same content. */
export function assertSameOutputs(
  a: Map<string, string>,
  b: Map<string, string>,
  what: string,
): void {
  assert.deepEqual([...a.keys()], [...b.keys()], `${what}: same files`);
  for (const [path, content] of a) assert.equal(b.get(path), content, `${what}: ${path} differs`);
}
