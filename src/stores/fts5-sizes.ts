/**
 * Document lengths as FTS5 itself counts them, read from its shadow tables, so a score computed in JS uses the
 * same lengths as FTS5's bm25(). Layouts (https://www.sqlite.org/fts5.html, "Shadow tables", and fts5_index.c):
 * `<table>_docsize.sz` holds one varint per column (that column's token count); the `<table>_data` record with
 * id 1 (the "averages" record) holds the row count and then each column's total token count, all as SQLite
 * varints (big-endian 7-bit groups, high bit = more; a 9th byte carries 8 bits).
 */
import type Database from 'libsql';

type Db = InstanceType<typeof Database>;
/** libsql returns a BLOB as a Buffer from get() and as an ArrayBuffer from all(). */
type Blob = Uint8Array | ArrayBuffer;

export function readVarints(value: Blob): number[] {
  const blob = value instanceof Uint8Array ? value : new Uint8Array(value);
  const out: number[] = [];
  for (let i = 0; i < blob.length; ) {
    let v = 0;
    let j = 0;
    for (; j < 8 && i < blob.length; j++) {
      const b = blob[i++]!;
      v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (j === 8 && i < blob.length) v = v * 256 + blob[i++]!;
    out.push(v);
  }
  return out;
}

/** Average document length in tokens (all columns), as bm25() uses it. */
export function averageLength(db: Db, table: string): number {
  const row = db.prepare(`SELECT block FROM ${table}_data WHERE id = 1`).get() as { block: Blob } | undefined;
  if (!row) return 1;
  const [rows = 0, ...columns] = readVarints(row.block);
  return rows > 0 ? columns.reduce((a, c) => a + c, 0) / rows : 1;
}

/** Each document's length in tokens (all columns), by rowid. */
export function documentLengths(db: Db, table: string, docs: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < docs.length; i += 500) {
    const batch = docs.slice(i, i + 500);
    const rows = db.prepare(`SELECT id, sz FROM ${table}_docsize WHERE id IN (${batch.map(() => '?').join(',')})`).raw(true).all(...batch) as Array<[number, Blob]>;
    for (const [id, sz] of rows) out.set(id, readVarints(sz).reduce((a, c) => a + c, 0));
  }
  return out;
}
