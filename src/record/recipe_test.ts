import assert from "node:assert/strict";
import { InputError } from "../util/errors.ts";
import { join } from "node:path";
import { projectRoot } from "./cache.ts";
import { readManifest } from "./manifest.ts";
import { loadRecipe } from "./recipe.ts";

/**
 * The committed recipes: those of the corpus manifest, not whatever folders sit in
 * traces/recipes/ (a user's own recipe there must not break these tests).
 */
const committed = readManifest(join(projectRoot(), "traces", "MANIFEST.json")).traces.map((t) =>
  t.workload
);

Deno.test("recipes: every committed recipe loads and names existing sources", () => {
  const names = committed;
  assert.ok(names.includes("forkwait"));
  for (const n of names) {
    const r = loadRecipe(n);
    assert.equal(r.name, n);
    // A snapshot set has no iteration window: its unit is the guest (vms), not the iteration.
    assert.ok(r.iterations > 0 || r.vms > 0, `${n} has iterations or guests`);
    assert.ok(r.description.length > 20, `${n} describes itself`);
  }
});

Deno.test("recipes: an unknown workload is one clear InputError", () => {
  assert.throws(() => loadRecipe("no-such-workload"), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.match(e.message, /^Unknown workload no-such-workload: .*known: .*forkwait/);
    return true;
  });
  assert.throws(() => loadRecipe("../etc"), InputError);
});

Deno.test("recipes: only the disk and NIC workloads attach those devices", () => {
  for (const n of committed) {
    const r = loadRecipe(n);
    assert.equal(r.diskMiB > 0, n === "disk-dd", `${n} disk`);
    assert.equal(r.nic !== "", n === "net-udp-tx" || n.startsWith("net-tcp-"), `${n} NIC`);
    // Only the TCP transfers have a peer: a sink for transmit, a source for receive.
    assert.equal(
      r.tcpPeer,
      n.startsWith("net-tcp-tx") ? "sink" : n.startsWith("net-tcp-rx") ? "source" : "",
      `${n} peer`,
    );
  }
  assert.equal(loadRecipe("net-udp-tx").nic, "e1000");
  assert.equal(loadRecipe("net-tcp-rx-500").nic, "e1000e");
  assert.deepEqual(loadRecipe("disk-dd").modules, ["ata_piix", "sd_mod"]);
});

Deno.test("recipes: a TCP peer needs a NIC to be reached through", async () => {
  const dir = await Deno.makeTempDir();
  const recipe = join(dir, "nopeer");
  await Deno.mkdir(recipe);
  await Deno.writeTextFile(join(recipe, "run.sh"), "true\n");
  await Deno.writeTextFile(
    join(recipe, "recipe.json"),
    JSON.stringify({ description: "x", iterations: 1, tcpPeer: "sink" }),
  );
  assert.throws(() => loadRecipe(recipe), /tcpPeer needs a nic/);
  await Deno.writeTextFile(
    join(recipe, "recipe.json"),
    JSON.stringify({ description: "x", iterations: 1, nic: "e1000e", tcpPeer: "both" }),
  );
  assert.throws(() => loadRecipe(recipe), /field tcpPeer is missing or has the wrong type/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("recipes: programs link statically unless the recipe asks for glibc, which it then ships", async () => {
  for (const n of committed) {
    const r = loadRecipe(n);
    if (r.link === "dynamic") {
      // The loader and libc must be Debian's pinned ones, not the host's.
      assert.ok(r.debian.some((d) => d.package === "libc6"), `${n} ships libc6`);
    }
  }
  assert.equal(loadRecipe("forkwait").link, "static");
  assert.equal(loadRecipe("forkwait-dyn").link, "dynamic");
  const dir = await Deno.makeTempDir();
  try {
    const recipe = join(dir, "bad-link");
    await Deno.mkdir(recipe);
    await Deno.writeTextFile(join(recipe, "run.sh"), "true\n");
    await Deno.writeTextFile(
      join(recipe, "recipe.json"),
      JSON.stringify({
        description: "a recipe with an unknown link",
        iterations: 1,
        link: "shared",
      }),
    );
    assert.throws(() => loadRecipe(recipe), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /link/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("recipes: summaryInterval is 0 (none) or 10^5 to 10^12 instructions", () => {
  assert.equal(loadRecipe("forkwait").summaryInterval, 0);
  assert.equal(loadRecipe("kv-memcached").summaryInterval, 100_000_000);
  const dir = Deno.makeTempDirSync();
  try {
    const r = join(dir, "w");
    Deno.mkdirSync(r);
    Deno.writeTextFileSync(join(r, "run.sh"), "true\n");
    for (const bad of [5, 1.5e5 + 0.5, -1, "100000", 1e13]) {
      Deno.writeTextFileSync(
        join(r, "recipe.json"),
        JSON.stringify({ description: "d", iterations: 1, summaryInterval: bad }),
      );
      assert.throws(() => loadRecipe(r), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.match(e.message, /summaryInterval/);
        return true;
      });
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("recipes: contentEvery is a whole number of intervals and needs a summary", () => {
  assert.equal(loadRecipe("forkwait").contentEvery, 0);
  assert.equal(loadRecipe("db-pgbench").contentEvery, 1);
  const dir = Deno.makeTempDirSync();
  try {
    const r = join(dir, "w");
    Deno.mkdirSync(r);
    Deno.writeTextFileSync(join(r, "run.sh"), "true\n");
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ contentEvery: 2 }, /contentEvery: content samples need a summaryInterval/],
      [{ contentEvery: 1.5, summaryInterval: 1e6 }, /field contentEvery/],
      [{ contentEvery: -1, summaryInterval: 1e6 }, /field contentEvery/],
    ];
    for (const [extra, re] of cases) {
      Deno.writeTextFileSync(
        join(r, "recipe.json"),
        JSON.stringify({ description: "d", iterations: 1, ...extra }),
      );
      assert.throws(() => loadRecipe(r), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.match(e.message, re);
        return true;
      });
    }
    Deno.writeTextFileSync(
      join(r, "recipe.json"),
      JSON.stringify({ description: "d", iterations: 1, summaryInterval: 1e6, contentEvery: 3 }),
    );
    assert.equal(loadRecipe(r).contentEvery, 3);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
