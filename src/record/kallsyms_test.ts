import assert from "node:assert/strict";
import {
  isIdtEntry,
  isLeafPageTableSetter,
  KernelSymbols,
  pageTableWriterLevel,
  signedHex,
} from "./kallsyms.ts";

const TEXT = [
  "ffffffff81000000 T _stext",
  "ffffffff81001000 t native_set_pte",
  "ffffffff81001010 T native_set_pmd",
  "ffffffff82000000 D some_data",
  "ffffffff81800000 T asm_exc_page_fault",
  "ffffffffc0000000 t mod_fn\t[virtio_blk]",
  "garbage line",
].join("\n");

Deno.test("kallsyms: parses text symbols only, sorted, as signed addresses", () => {
  const s = KernelSymbols.parse(TEXT);
  assert.equal(s.size, 5);
  assert.deepEqual([...s.names], [
    "_stext",
    "native_set_pte",
    "native_set_pmd",
    "asm_exc_page_fault",
    "mod_fn",
  ]);
  assert.equal(signedHex("ffffffff81000000"), -0x7f000000);
  assert.equal(signedHex("0000000000401000"), 0x401000);
  assert.equal(s.address("native_set_pte"), -0x7f000000 + 0x1000);
});

Deno.test("kallsyms: lookups name the containing function", () => {
  const s = KernelSymbols.parse(TEXT);
  const base = signedHex("ffffffff81000000");
  assert.equal(s.functionAt(base + 0x1004), "native_set_pte");
  assert.equal(s.describe(base + 0x1014), "native_set_pmd+0x4");
  assert.equal(s.describe(base + 0x1010), "native_set_pmd");
  assert.equal(s.functionAt(base - 1), null);
  assert.equal(s.indexOf(0x401000), 4); // user addresses sort above kernel ones; last symbol
});

Deno.test("kallsyms: classifies entry points and page-table writers", () => {
  assert.ok(isIdtEntry("asm_exc_page_fault"));
  assert.ok(isIdtEntry("asm_sysvec_apic_timer_interrupt"));
  assert.ok(!isIdtEntry("exc_page_fault"));
  // Device interrupts enter through the irq_entries_start stubs, which jump to these.
  assert.ok(!isIdtEntry("asm_common_interrupt"));
  assert.ok(!isIdtEntry("asm_spurious_interrupt"));
  assert.equal(pageTableWriterLevel("native_set_pte"), 1);
  assert.equal(pageTableWriterLevel("native_set_pmd"), 2);
  assert.equal(pageTableWriterLevel("native_set_pud"), 3);
  assert.equal(pageTableWriterLevel("native_set_p4d"), 4);
  assert.equal(pageTableWriterLevel("zap_pte_range"), 1);
  // The i386 686 kernel inlines change_pte_range into change_protection (mprotect).
  assert.equal(pageTableWriterLevel("change_protection"), 1);
  assert.equal(pageTableWriterLevel("change_pid"), -1);
  assert.equal(pageTableWriterLevel("copy_page_range"), 4);
  assert.equal(pageTableWriterLevel("schedule"), -1);
  assert.ok(isLeafPageTableSetter("native_set_pte"));
  assert.ok(!isLeafPageTableSetter("zap_pte_range"));
});
