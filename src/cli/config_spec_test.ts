import assert from "node:assert/strict";
import { configSpecOf, parseConfigSpec } from "./config_spec.ts";
import { InputError } from "../util/errors.ts";
import type { ResultConfig } from "../engine/result.ts";

Deno.test("config spec: fields, platform overrides, options and the default label", () => {
  const n = parseConfigSpec(
    "cpu=hw,mmu=nested,platform=modern,platform.hw.vm-exit=500,mmu.pwc-entries=8,seed=7",
  );
  assert.deepEqual(n.config, {
    cpu: "hw",
    mmu: "nested",
    platform: "modern",
    platformSet: { "hw.vm-exit": 500 },
    options: { "mmu.pwc-entries": 8 },
    seed: 7,
  });
  assert.equal(
    n.label,
    "hw+nested,platform=modern,platform.hw.vm-exit=500,mmu.pwc-entries=8,seed=7",
  );
  assert.equal(parseConfigSpec("cpu=bt,mmu=shadow").label, "bt+shadow");
  assert.equal(parseConfigSpec("cpu=native").label, "native");
  assert.equal(parseConfigSpec("mmu=nested").label, "native+nested");
  assert.equal(parseConfigSpec("label=fast,cpu=hw").label, "fast");
  assert.deepEqual(parseConfigSpec("option.foo=bar,x.y=true").config.options, {
    foo: "bar",
    "x.y": true,
  });
});

Deno.test("config spec: mistakes are one input error each", () => {
  assert.throws(() => parseConfigSpec("cpus=hw"), /unknown key "cpus" \(did you mean cpu\?\)/);
  assert.throws(() => parseConfigSpec("cpu"), /"cpu" is not key=value/);
  assert.throws(() => parseConfigSpec("cpu=hw,cpu=bt"), /cpu given twice/);
  assert.throws(() => parseConfigSpec("platform.hw.vm-exit=-1"), /not a non-negative number/);
  assert.throws(() => parseConfigSpec("platform.hw.vm-exit=fast"), InputError);
  assert.throws(() => parseConfigSpec(""), /empty configuration/);
});

Deno.test("configSpecOf writes a result's configuration back in the compact syntax", () => {
  const config: ResultConfig = {
    cpu: "bt",
    mmu: "shadow",
    io: "native",
    memory: "none",
    platform: "p4-prescott",
    seed: 1,
    warmup: 2,
    options: { "bt.tc-capacity": 64 },
    platformSet: { "bt.translate": 1000 },
  };
  const spec = configSpecOf(config);
  assert.equal(
    spec,
    "cpu=bt,mmu=shadow,io=native,memory=none,platform=p4-prescott,warmup=2,bt.tc-capacity=64,platform.bt.translate=1000",
  );
  const back = parseConfigSpec(spec).config;
  assert.equal(back.warmup, 2);
  assert.deepEqual(back.options, { "bt.tc-capacity": 64 });
  assert.deepEqual(back.platformSet, { "bt.translate": 1000 });
});
