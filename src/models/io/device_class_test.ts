import assert from "node:assert/strict";
import { ConfigError } from "../../util/errors.ts";
import { classOverrides } from "./base.ts";
import { classifyDevice, DEVICE_CLASSES, deviceClasses } from "./device_class.ts";
import { deviceSlot } from "./device_costs.ts";

const cls = (name: string) => DEVICE_CLASSES[classifyDevice(name)];

Deno.test("device classes: QEMU and recipe names map to the right class", () => {
  assert.equal(cls("pcnet-io"), "nic");
  assert.equal(cls("Lance"), "nic");
  assert.equal(cls("e1000-mmio"), "nic");
  assert.equal(cls("ide"), "disk");
  // QEMU's PIIX bus-master DMA registers: the IDE controller's DMA engine, not "other".
  assert.equal(cls("piix-bmdma"), "disk");
  assert.equal(cls("virtio-blk"), "disk");
  assert.equal(cls("i8259"), "pic");
  assert.equal(cls("pic"), "pic");
  assert.equal(cls("apic-msi"), "apic");
  assert.equal(cls("ioapic"), "apic");
  assert.equal(cls("pit"), "timer");
  assert.equal(cls("hpet"), "timer");
  assert.equal(cls("serial"), "serial");
  assert.equal(cls("port80"), "post");
  assert.equal(cls("rtc"), "rtc");
  assert.equal(cls("vga"), "vga");
  assert.equal(cls("kbd"), "other");
});

Deno.test("device classes: overrides, the trailing slot, and bad overrides", () => {
  const t = deviceClasses(["mydev", "pit"], classOverrides({ "io.deviceClasses": "mydev=disk" }));
  assert.deepEqual([...t].map((c) => DEVICE_CLASSES[c]), ["disk", "timer", "other"]);
  assert.equal(deviceSlot(1, t), 1);
  assert.equal(deviceSlot(2, t), 2);
  assert.equal(deviceSlot(99, t), 2);
  assert.equal(deviceSlot(-1, t), 2);
  assert.throws(() => deviceClasses(["mydev"], { mydev: "tape" }), ConfigError);
  assert.throws(() => classOverrides({ "io.deviceClasses": "mydev" }), /io\.deviceClasses/);
  assert.deepEqual(classOverrides({ "io.deviceClasses": "a=nic, b=disk" }), {
    a: "nic",
    b: "disk",
  });
});
