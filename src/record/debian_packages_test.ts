import assert from "node:assert/strict";
import { moduleDepends, moduleName } from "./debian_packages.ts";

Deno.test("kernel modules: names from paths, dependencies from the .modinfo strings", () => {
  assert.equal(moduleName("kernel/drivers/ata/ata_piix.ko"), "ata_piix");
  assert.equal(moduleName("kernel/lib/crc-t10dif.ko.xz"), "crc_t10dif");
  const enc = new TextEncoder();
  const ko = new Uint8Array([
    0x7f,
    ...enc.encode("ELF\0license=GPL\0depends=libata,scsi_mod,crc-t10dif\0intree=Y\0"),
  ]);
  assert.deepEqual(moduleDepends(ko), ["libata", "scsi_mod", "crc_t10dif"]);
  assert.deepEqual(moduleDepends(enc.encode("\0depends=\0name=libata\0")), []);
  assert.deepEqual(moduleDepends(enc.encode("no modinfo here")), []);
});
