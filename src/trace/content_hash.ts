/**
 * The content hash that names a trace in results: SHA-256 over a canonical encoding of
 * the record stream (absolute values, no prediction, no chunking) and the code table.
 * Re-chunking or re-compressing a trace keeps its hash; changing any record changes it.
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { type CodeTable, encodeCodeTable } from "./code_table.ts";
import { EXTENDED_SCHEMAS, Field, isMemKind, RecordKind, type TraceRecord } from "./record.ts";
import { ByteSink } from "./varint.ts";

const FLUSH_AT = 1 << 20;

/** Incremental canonical hasher; writer and validator feed it the same records. */
export class ContentHasher {
  #hash: Hash = createHash("sha256");
  #buf = new ByteSink(FLUSH_AT + 4096);

  /** Adds one record. */
  add(rec: TraceRecord): void {
    const b = this.#buf;
    const k = rec.kind;
    const f = rec.f;
    b.byte(k);
    if (isMemKind(k)) {
      b.svarint(f[Field.Addr]);
      b.uvarint(f[Field.Paddr]);
    } else if (k === RecordKind.Exec) {
      b.uvarint(f[Field.Block]);
    } else if (k === RecordKind.ExecPartial) {
      b.uvarint(f[Field.Block]);
      b.uvarint(f[Field.Count]);
    } else {
      const schema = EXTENDED_SCHEMAS[k];
      if (schema) { for (let i = 0; i < schema.length; i++) b.svarint(f[schema[i]]); }
    }
    if (b.length >= FLUSH_AT) {
      this.#hash.update(b.view());
      b.reset();
    }
  }

  /** Adds the code table and returns `sha256:<hex>`; the hasher is spent afterwards. */
  digest(code: CodeTable): string {
    const b = this.#buf;
    encodeCodeTable(code, b);
    this.#hash.update(b.view());
    b.reset();
    return `sha256:${this.#hash.digest("hex")}`;
  }
}
