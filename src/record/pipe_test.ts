import assert from "node:assert/strict";
import { join } from "node:path";
import { runPipe } from "./host_tools.ts";

Deno.test("runPipe passes a path with quotes and shell syntax as one argument, never to a shell", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vmmlab_pipe_" });
  try {
    // Parsed by a shell, this name would be several words and a second command.
    const name = join(dir, `a'b; echo injected; '$(x).txt`);
    await Deno.writeTextFile(name, "hello\n");
    const out = await runPipe(["cat", [name]], ["wc", ["-c"]], "counting");
    assert.equal(out.trim(), "6", "cat read the one file the name names");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the recorder starts no shell with a command string", async () => {
  const offenders: string[] = [];
  for (const entry of Deno.readDirSync(new URL(".", import.meta.url))) {
    if (!entry.name.endsWith(".ts") || entry.name.endsWith("_test.ts")) continue;
    const text = await Deno.readTextFile(new URL(entry.name, import.meta.url));
    if (/["'](?:ba)?sh["']\s*,\s*\[\s*["']-c["']/.test(text)) offenders.push(entry.name);
  }
  assert.deepEqual(offenders, []);
});
