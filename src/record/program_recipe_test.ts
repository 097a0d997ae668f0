import assert from "node:assert/strict";
import { join } from "node:path";
import { InputError } from "../util/errors.ts";
import {
  checkStaticElf,
  hasBeginMarker,
  programScript,
  writeProgramRecipe,
} from "./program_recipe.ts";

Deno.test("program recipe: the begin marker is found only where vmmlab_marker.h put it", () => {
  assert.ok(hasBeginMarker(new Uint8Array([0x90, 0x0f, 0x1f, 0x80, 0x01, 0x00, 0x56, 0x4d])));
  // An iteration marker (op 3) is not a begin marker.
  assert.ok(!hasBeginMarker(new Uint8Array([0x0f, 0x1f, 0x80, 0x03, 0x00, 0x56, 0x4d])));
});

Deno.test("program recipe: a non-ELF or dynamically linked file is one clear error", () => {
  assert.throws(
    () => checkStaticElf(new TextEncoder().encode("#!/bin/sh\n"), "x"),
    /neither a C source/,
  );
  const elf = new Uint8Array(64 + 56);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1]);
  const v = new DataView(elf.buffer);
  v.setUint16(18, 62, true);
  v.setBigUint64(32, 64n, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, 1, true);
  v.setUint32(64, 1, true); // PT_LOAD
  checkStaticElf(elf, "static");
  v.setUint32(64, 3, true); // PT_INTERP
  assert.throws(() => checkStaticElf(elf, "dyn"), /dyn: dynamically linked/);
  v.setUint16(56, 9, true);
  assert.throws(() => checkStaticElf(elf, "cut"), /outside the file/);
});

Deno.test("program recipe: whole-run script brackets each run with markers; a marked one runs as is", () => {
  const s = programScript(["./p", "a b"], false);
  assert.match(s, /vmark begin\n/);
  assert.match(s, /vmark iteration\n {2}\.\/p 'a b' \|\| exit \$\?/);
  assert.match(s, /vmark iteration\nvmark end\n$/);
  assert.equal(programScript(["./p"], true).split("\n").at(-2), "exec ./p");
});

Deno.test("program recipe: a C source becomes a loadable recipe; a taken --file name is refused", () => {
  const dir = Deno.makeTempDirSync({ prefix: "vmmlab-prog-" });
  try {
    const src = join(dir, "my prog.c");
    Deno.writeTextFileSync(
      src,
      '#include "vmmlab_marker.h"\nint main(void){VMMLAB_BEGIN();return 0;}\n',
    );
    const { recipe, selfMarked } = writeProgramRecipe(
      { program: src, args: [], files: [], iterations: 2, memoryMiB: 128, timeoutSeconds: 60 },
      join(dir, "out"),
    );
    assert.equal(recipe.name, "my_prog");
    assert.ok(selfMarked);
    assert.deepEqual(recipe.programs, { my_prog: ["my_prog.c"] });
    assert.equal(recipe.memoryMiB, 128);
    assert.throws(
      () =>
        writeProgramRecipe(
          {
            program: src,
            args: [],
            files: [join(dir, "out", "my_prog", "run.sh")],
            iterations: 1,
            memoryMiB: 128,
            timeoutSeconds: 60,
          },
          join(dir, "out2"),
        ),
      InputError,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
