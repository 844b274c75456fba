/**
 * The keyword index written off the serving thread. KeywordIndexWriter (stores/sqlite-keyword-index.ts) is
 * synchronous: tokenising every document and chunk, inserting them in big transactions, FTS5 'optimize' and
 * the term statistics each hold the thread for as long as they run — measured on the PostgreSQL manual + USFS
 * catalogs (11,000 chunks), ~1 s for the documents alone and ~0.9 s for finish, in single uninterruptible calls;
 * on a large catalog, seconds. In the bot process that is the thread that must acknowledge a Discord
 * interaction within 3 s, so the writer runs in a thread of its own (keyword-writer-thread.ts) that owns the tmp
 * file and its libsql connection; this side only posts the operations, in order, and awaits the replies.
 *
 * Same writer, same file, same rename at the end: the index is byte-for-byte what the inline writer builds.
 * A small index is written inline (`INLINE_MAX_CHUNKS`): starting a thread and loading libsql in it costs more
 * than writing a few hundred chunks, and tests build hundreds of tiny indexes.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Chunk } from '../core/types.js';
import { KeywordIndexWriter, type KeywordDocument } from '../stores/sqlite-keyword-index.js';
import type { WriterData, WriterOp, WriterReply } from './keyword-writer-thread.js';
import { workerExecArgv } from './parse-pool.js';

/** The writer as the indexer uses it: every operation may run elsewhere, so every one is awaited. */
export interface AsyncKeywordWriter {
  addDocuments(docs: readonly KeywordDocument[]): Promise<void>;
  add(chunks: readonly Chunk[]): Promise<void>;
  /** Optimises, writes the term statistics, closes and renames the file into place. */
  finish(): Promise<void>;
  /** Discards the tmp file (a failed run); never rejects. */
  abort(): Promise<void>;
}

/**
 * At or under this many chunks the index is written on the calling thread: measured ~0.25 ms of writer CPU per
 * chunk (documents, chunks and finish together), so ~125 ms at most, against a thread start that alone takes
 * tens of milliseconds from dist/ and several hundred under tsx.
 */
export const INLINE_MAX_CHUNKS = 500;

/**
 * Documents per message. Posting copies them (structured clone) on the calling thread; a whole manual's text in
 * one message is a ~20 MB copy, in slices the event loop runs between them.
 */
const DOCS_PER_MESSAGE = 200;

const FROM_SOURCES = import.meta.url.endsWith('.ts');
const THREAD_FILE = fileURLToPath(FROM_SOURCES ? new URL('./keyword-writer-thread-tsx.mjs', import.meta.url) : new URL('./keyword-writer-thread.js', import.meta.url));

/** Opens a writer for `file`: in its own thread unless the index is small (`chunks` ≤ INLINE_MAX_CHUNKS). */
export function openKeywordWriter(file: string, chunks: number): AsyncKeywordWriter {
  return chunks <= INLINE_MAX_CHUNKS ? inlineWriter(file) : new ThreadKeywordWriter(file);
}

function inlineWriter(file: string): AsyncKeywordWriter {
  const w = new KeywordIndexWriter(file);
  return {
    addDocuments: async (docs) => w.addDocuments(docs),
    add: async (chunks) => w.add(chunks),
    finish: async () => w.finish(),
    abort: async () => w.abort(),
  };
}

/** The writer in a worker thread. Operations run in the order they are issued; the first failure fails the rest. */
export class ThreadKeywordWriter implements AsyncKeywordWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 0;
  /** Set once the thread failed or exited: every later operation rejects with it. */
  private failure: Error | undefined;
  private closed = false;

  constructor(private readonly file: string) {
    this.worker = new Worker(THREAD_FILE, {
      workerData: { file } satisfies WriterData,
      // Without tsx's flags (they break the entry's own registration) and V8's per-process heap flags (a large
      // run's --max-old-space-size would make `new Worker` throw): the filter the parse threads use.
      execArgv: workerExecArgv(),
    });
    this.worker.on('message', (r: WriterReply) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      this.settled();
      if (r.ok) return p?.resolve();
      const err = new Error(`keyword index writer: ${r.message}`);
      if (r.stack) err.stack = `${err.message}\n    in the writer thread: ${r.stack}`;
      this.failure ??= err;
      p?.reject(err);
    });
    // A crash (out of memory, a native fault) or an exit before finish: whatever was pending cannot complete.
    this.worker.on('error', (err) => this.fail(new Error(`keyword index writer thread failed: ${err.message}`)));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`keyword index writer thread exited (code ${code}) before the index was written`));
    });
    // Referenced only while an operation is pending: an awaited reply must keep the process alive (a CLI run
    // with nothing else open would otherwise exit mid-write), an idle writer must not.
    this.worker.unref();
  }

  private settled(): void {
    if (this.pending.size === 0) this.worker.unref();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
    this.settled();
  }

  private send(op: WriterOp): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.pending.set(op.id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage(op);
    });
  }

  async addDocuments(docs: readonly KeywordDocument[]): Promise<void> {
    for (let i = 0; i < docs.length; i += DOCS_PER_MESSAGE) {
      await this.send({ id: ++this.nextId, op: 'addDocuments', docs: docs.slice(i, i + DOCS_PER_MESSAGE) });
    }
  }

  add(chunks: readonly Chunk[]): Promise<void> {
    return this.send({ id: ++this.nextId, op: 'add', chunks: [...chunks] });
  }

  async finish(): Promise<void> {
    try {
      await this.send({ id: ++this.nextId, op: 'finish' });
    } finally {
      await this.close();
    }
  }

  async abort(): Promise<void> {
    if (!this.failure && !this.closed) await this.send({ id: ++this.nextId, op: 'abort' }).catch(() => undefined);
    await this.close();
    // A thread that died cannot clean up after itself; its tmp file is the writer's (same process id). Whatever
    // stands there (even something that is not a file) is left for the next run's sweep rather than thrown.
    try {
      rmSync(`${this.file}.${process.pid}.tmp`, { force: true });
    } catch {
      // not ours to fail on: the run is failing already
    }
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.terminate();
  }

  /** For tests: the thread dies as a crash would kill it. */
  async crashForTest(): Promise<void> {
    await this.worker.terminate();
  }
}
