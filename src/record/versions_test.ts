import assert from "node:assert/strict";
import { join } from "node:path";
import { InputError } from "../util/errors.ts";
import { projectRoot } from "./cache.ts";
import { readManifest } from "./manifest.ts";
import { loadRecipe } from "./recipe.ts";
import { loadVersionLock, parseVersionLock } from "./versions.ts";
import { TraceReader } from "../trace/reader.ts";

Deno.test("versions: every package of every committed recipe, the kernel and busybox are pinned", () => {
  const lock = loadVersionLock();
  assert.match(lock.kernel.package, /^linux-image-6\.1\.0-\d+-amd64$/);
  assert.ok(lock.packages["busybox-static"]);
  const manifest = readManifest(join(projectRoot(), "traces", "MANIFEST.json"));
  for (const entry of manifest.traces) {
    for (const d of loadRecipe(entry.workload).debian) {
      assert.ok(lock.packages[d.package], `${entry.workload}: ${d.package} is pinned`);
    }
  }
});

Deno.test("versions: the lock (or the recipe's own pins) pins what the committed traces were recorded with", () => {
  const lock = loadVersionLock();
  const manifest = readManifest(join(projectRoot(), "traces", "MANIFEST.json"));
  for (const entry of manifest.traces) {
    const t = TraceReader.open(join(projectRoot(), "traces", entry.file));
    try {
      const used = t.header.source.debianPackages as Record<string, string>;
      // A recipe's own versions field overrides the lock (docs/recipes.md); a 32-bit guest's
      // kernel and packages are the lock's foreign i386 pins (its build tools amd64 ones).
      const recipe = loadRecipe(entry.workload);
      const own = recipe.versions;
      const foreign = t.header.guest?.arch === "i386" ? lock.foreign.i386 : undefined;
      const kernels = foreign ? Object.values(foreign.kernels) : [lock.kernel];
      for (const [name, version] of Object.entries(used)) {
        const pinned = foreign?.packages[name] ?? own[name] ??
          kernels.find((k) => k.package === name)?.version ?? lock.packages[name];
        assert.equal(pinned, version, `${entry.file}: ${name}`);
      }
    } finally {
      t.close();
    }
  }
});

Deno.test("versions: a malformed lock file is one clear error naming it", () => {
  const ok = '{"schema":"vmmlab.versions/1","kernel":{"package":"k","version":"1"},"packages":{}}';
  assert.deepEqual(parseVersionLock(ok, "f").kernel, { package: "k", version: "1" });
  assert.throws(() => parseVersionLock("{", "f"), /^InputError|f: not valid JSON/);
  assert.throws(() => parseVersionLock('{"schema":"x"}', "f"), InputError);
  assert.throws(
    () => parseVersionLock(ok.replace('"packages":{}', '"packages":{"a":"1 2"}'), "f"),
    /f: packages must map/,
  );
});
