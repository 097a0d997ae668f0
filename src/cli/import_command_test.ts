import assert from "node:assert/strict";
import { buildProgram } from "./main.ts";
import { importers, type ImportOptions, registerImporter } from "../trace/importer.ts";
import { TraceWriter } from "../trace/writer.ts";
import { TraceReader } from "../trace/reader.ts";
import { CPL_USER } from "../trace/code_table.ts";
import { runCli } from "./test_support.ts";

Deno.test("an importer registered before the program is built is reachable as `vmmlab import NAME`", async () => {
  const calls: { input: string; output: string; options: ImportOptions }[] = [];
  registerImporter({
    name: "test-one-block",
    summary: "a test format: any file becomes one block executed once",
    input: "anything",
    import(input, output, options) {
      calls.push({ input, output, options });
      const w = TraceWriter.create(output, {
        workload: options.workload ?? "test",
        source: { kind: "test", method: "import_command_test", recorder: "test" },
        pageSizes: [4096],
        devices: [],
        inferred: [],
      }, options);
      w.exec(
        w.defineBlock(0x400000, CPL_USER, [{
          length: 1,
          sensitive: 0,
          flow: 0,
          bytes: new Uint8Array([0x90]),
        }]),
      );
      return Promise.resolve(w.close());
    },
  });
  assert.ok(importers().some((i) => i.name === "lackey"), "the built-in importer is registered");
  const dir = Deno.makeTempDirSync({ prefix: "vmmlab-import-" });
  try {
    const input = `${dir}/in.txt`;
    Deno.writeTextFileSync(input, "x");
    const program = buildProgram();
    const sub = program.commands.find((c) => c.name() === "import")!.commands
      .find((c) => c.name() === "test-one-block");
    assert.ok(sub, "the import command lists the registered importer");
    assert.equal(sub.description(), "a test format: any file becomes one block executed once");
    const log = console.log;
    console.log = () => {};
    try {
      await program.parseAsync(
        ["import", "test-one-block", input, "--workload", "w1", "--chunk-records", "7"],
        { from: "user" },
      );
    } finally {
      console.log = log;
    }
    assert.equal(calls.length, 1);
    assert.equal(calls[0].input, input);
    assert.equal(calls[0].output, `${dir}/in.vmt`, "the default --out is FILE with .vmt");
    assert.equal(calls[0].options.workload, "w1");
    assert.equal(calls[0].options.chunkRecords, 7);
    const t = TraceReader.open(`${dir}/in.vmt`);
    try {
      assert.equal(t.header.workload, "w1");
      assert.equal(t.summary.instructions, 1);
    } finally {
      t.close();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("`vmmlab import --help` lists every built-in importer with its summary", async () => {
  const r = await runCli("import", "--help");
  assert.equal(r.code, 0, r.stderr);
  const builtIn = importers().filter((i) => !i.name.startsWith("test-"));
  assert.ok(builtIn.length > 0);
  for (const i of builtIn) {
    assert.match(
      r.stdout,
      new RegExp(
        `\\b${i.name}\\b.*${i.summary.slice(0, 30).replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}`,
      ),
    );
  }
});
