/**
 * A lone clone must work: nothing in the repository may depend on a path outside it, and
 * the library must be usable from a script anywhere with a plain `deno run`.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { REPO_ROOT } from "../src/cli/experiment/discover.ts";

// Spelled in two parts so that this file does not itself match what it looks for.
const OUTSIDE_FOLDER = ".." + "/shared";

/** Files the repository holds: git's list where there is a checkout, else a sorted walk. */
async function repositoryFiles(): Promise<string[]> {
  try {
    const out = await new Deno.Command("git", {
      args: ["ls-files", "-z"],
      cwd: REPO_ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    if (out.success) {
      return new TextDecoder().decode(out.stdout).split("\0").filter((f) => f.length > 0).sort();
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const skip = new Set([".git", "node_modules", ".cache", "out"]);
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(dir)) entries.push(entry);
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory && !skip.has(entry.name)) await walk(path);
      else if (entry.isFile) files.push(relative(REPO_ROOT, path));
    }
  };
  await walk(REPO_ROOT);
  return files;
}

Deno.test("no file in the repository refers to a folder beside it", async () => {
  const offenders: string[] = [];
  const needle = new TextEncoder().encode(OUTSIDE_FOLDER);
  for (const file of await repositoryFiles()) {
    const bytes = await Deno.readFile(join(REPO_ROOT, file));
    if (indexOf(bytes, needle) >= 0) offenders.push(file);
  }
  assert.deepEqual(offenders, [], `these files name ${OUTSIDE_FOLDER}`);
});

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  outer: for (let i = haystack.indexOf(first); i >= 0; i = haystack.indexOf(first, i + 1)) {
    if (i + needle.length > haystack.length) return -1;
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

Deno.test("every npm: specifier in the source is the version deno.json pins", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json")));
  const pinned = new Set(Object.values(config.imports as Record<string, string>));
  const specifier = /["'](npm:(?:@[^/"'@]+\/)?[^/"'@]+@[^/"']+)(?:\/[^"']*)?["']/g;
  const wrong: string[] = [];
  for (const file of await repositoryFiles()) {
    if (!file.endsWith(".ts")) continue;
    const text = await Deno.readTextFile(join(REPO_ROOT, file));
    for (const match of text.matchAll(specifier)) {
      if (!pinned.has(match[1])) wrong.push(`${file}: ${match[1]}`);
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("the README's library example runs from an empty folder outside the repository", async () => {
  const readme = await Deno.readTextFile(join(REPO_ROOT, "README.md"));
  const section = readme.slice(readme.indexOf("## Library"));
  const block = section.match(/```ts\n([\s\S]*?)```/);
  assert.ok(block, "README's Library section has a ts example");
  const script = block[1].replaceAll("/path/to/vmmlab", REPO_ROOT);
  const dir = await Deno.makeTempDir({ prefix: "vmmlab_outside_" });
  try {
    await Deno.writeTextFile(join(dir, "my_script.ts"), script);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--allow-read", "my_script.ts"],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.ok(out.success, `the example failed:\n${stderr}`);
    const lines = stdout.trim().split("\n");
    assert.match(lines[0], /^\d+(\.\d+)? \{/, "first line: the slowdown, then the breakdown");
    assert.ok(Number(lines[0].split(" ")[0]) > 1, "hw + nested is slower than native");
    assert.match(lines[lines.length - 1], /^[1-9]\d* basic blocks executed$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
