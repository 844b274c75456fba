/**
 * Runs inside the keyword-writer thread (keyword-writer-worker.ts starts it). The thread owns the tmp index
 * file and its libsql connection; the serving thread posts operations in order and gets one reply per
 * operation. Everything expensive in writing a keyword index happens here, off the bot's event loop: Docent's
 * tokenizer over every document and chunk (keywordTerms: Porter stems, measured ~1.5 s of main-thread CPU for
 * the PostgreSQL manual + USFS catalogs), synchronous SQLite inserts in big transactions, FTS5 'optimize',
 * writeTermStatistics and ANALYZE (seconds on large catalogs, each one uninterruptible).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Chunk } from '../core/types.js';
import { KeywordIndexWriter, type KeywordDocument } from '../stores/sqlite-keyword-index.js';

/** One operation, in the order the serving thread issued it. */
export type WriterOp =
  | { id: number; op: 'addDocuments'; docs: KeywordDocument[] }
  | { id: number; op: 'add'; chunks: Chunk[] }
  | { id: number; op: 'finish' }
  | { id: number; op: 'abort' };

export type WriterReply = { id: number; ok: true; count: number } | { id: number; ok: false; message: string; stack?: string };

/** What the thread is started with: the final path of the index file (the writer works on `<file>.<pid>.tmp`). */
export interface WriterData { file: string }

const port = parentPort!;
const { file } = workerData as WriterData;
// Opened on the first operation, so a bad path is reported as that operation's error (a constructor throw at
// module load would only surface as the thread's 'error' event, without an operation to blame).
let writer: KeywordIndexWriter | undefined;

port.on('message', (m: WriterOp) => {
  try {
    if (m.op === 'abort') {
      writer?.abort();
      writer = undefined;
    } else {
      writer ??= new KeywordIndexWriter(file);
      if (m.op === 'addDocuments') writer.addDocuments(m.docs);
      else if (m.op === 'add') writer.add(m.chunks);
      else writer.finish();
    }
    port.postMessage({ id: m.id, ok: true, count: writer?.count ?? 0 } satisfies WriterReply);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ id: m.id, ok: false, message: e.message, ...(e.stack ? { stack: e.stack } : {}) } satisfies WriterReply);
  }
});
