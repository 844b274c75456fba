/**
 * Writes a new index version's vectors and keyword file. Two ways:
 *
 * - **Diff** (the usual reindex): the collection of the version *before* the serving one — kept one run for
 *   processes still on it, idle since — is renamed to the new version's name and brought up to date: only
 *   chunks that are new or changed are upserted, withdrawn ones deleted. What it holds is known exactly from
 *   that version's keyword file. Two collections take turns, so a 1 % change to a 100,000-chunk index writes
 *   ~1,000 vectors instead of all of them (measured here: ~2 s against ~65 s for a rewrite).
 * - **Full**: a new collection with every chunk (first run, an embedder change, no idle version, or a diff that
 *   failed part-way — its half-updated collection is dropped first).
 *
 * Either way the serving version is never touched, and the manifest moves only after this returns.
 */
import type { Chunk, DocumentRecord } from '../core/types.js';
import type { Logger } from '../logging/logger.js';
import { readChunkFingerprints, type KeywordDocument } from '../stores/sqlite-keyword-index.js';
import { openKeywordWriter, type AsyncKeywordWriter } from './keyword-writer-worker.js';
import type { IndexStamp, VectorStore, VectorStoreFactory } from '../core/ports/vector-store.js';

export interface VersionWrite {
  mode: 'full' | 'diff';
  /** Vectors written to the store this run. */
  upserted: number;
  /** Vectors deleted from a reused collection. */
  deleted: number;
}

export interface WriteVersionOptions {
  stores: VectorStoreFactory;
  stamp: IndexStamp;
  collection: string;
  keywordFile: string;
  docs: readonly (KeywordDocument & Pick<DocumentRecord, 'kind'>)[];
  chunks: readonly Chunk[];
  /** One per chunk (the embedding cache's own arrays, read-only); turned into number[] one batch at a time. */
  vectors: readonly Float32Array[];
  /** The idle collection (the version before the serving one) and its keyword file, when there is one. */
  reuse?: { collection: string; keywordFile: string } | undefined;
  logger: Logger;
  onStored?: (done: number, total: number) => void;
}

/** What a vector store holds about a chunk: a chunk whose fingerprint is unchanged needs no write. */
export function chunkFingerprint(c: Pick<Chunk, 'textHash' | 'sourceId' | 'sourceRoot' | 'kind' | 'modified' | 'keywords'>): string {
  return [c.textHash, c.sourceId, c.sourceRoot, c.kind, c.modified ?? '', JSON.stringify(c.keywords)].join('\u0000');
}

// Batches of 1000 match the Chroma store's request size (measured 1,690 → 2,120 chunks/s against 250).
const STEP = 1000;

export async function writeVersion(o: WriteVersionOptions): Promise<VersionWrite> {
  // In a thread of its own for any sizeable index (keyword-writer-worker.ts): the bot's event loop stays free.
  const keyword = openKeywordWriter(o.keywordFile, o.chunks.length);
  try {
    await keyword.addDocuments(o.docs);
    const diffed = o.reuse ? await tryDiff(o, o.reuse, keyword) : undefined;
    const result = diffed ?? (await writeFull(o, keyword));
    await keyword.finish();
    return result;
  } catch (err) {
    await keyword.abort();
    await o.stores.drop(o.collection).catch(() => undefined);
    throw err;
  }
}

async function writeFull(o: WriteVersionOptions, keyword: AsyncKeywordWriter): Promise<VersionWrite> {
  const store = await o.stores.open(o.collection, o.stamp);
  // The keyword index is written while Chroma (another process) ingests the batch: the two overlap on 2 cores.
  for (let i = 0; i < o.chunks.length; i += STEP) {
    const stored = store.upsert(o.chunks.slice(i, i + STEP), o.vectors.slice(i, i + STEP).map((v) => Array.from(v)));
    // Both awaited together, so neither side's failure is left unhandled.
    await Promise.all([stored, keyword.add(o.chunks.slice(i, i + STEP))]);
    o.logger.debug({ collection: o.collection, done: Math.min(i + STEP, o.chunks.length), total: o.chunks.length }, 'stored batch');
    o.onStored?.(Math.min(i + STEP, o.chunks.length), o.chunks.length);
  }
  return { mode: 'full', upserted: o.chunks.length, deleted: 0 };
}

/** Applies the difference to the idle collection; undefined (after cleaning up) when that cannot be done. */
async function tryDiff(o: WriteVersionOptions, reuse: { collection: string; keywordFile: string }, keyword: AsyncKeywordWriter): Promise<VersionWrite | undefined> {
  let renamed = false;
  try {
    const before = readChunkFingerprints(reuse.keywordFile);
    await o.stores.rename(reuse.collection, o.collection);
    renamed = true;
    const store = await o.stores.open(o.collection, o.stamp);
    const changed: number[] = [];
    const ids = new Set<string>();
    o.chunks.forEach((c, i) => {
      ids.add(c.id);
      if (before.get(c.id) !== chunkFingerprint(c)) changed.push(i);
    });
    const removed = [...before.keys()].filter((id) => !ids.has(id));
    await upsertSome(store, o, changed);
    await store.delete(removed);
    for (let i = 0; i < o.chunks.length; i += STEP) await keyword.add(o.chunks.slice(i, i + STEP));
    o.onStored?.(o.chunks.length, o.chunks.length);
    o.logger.debug({ collection: o.collection, from: reuse.collection, upserted: changed.length, deleted: removed.length }, 'applied the diff to the idle collection');
    return { mode: 'diff', upserted: changed.length, deleted: removed.length };
  } catch (err) {
    o.logger.warn({ err, collection: reuse.collection }, 'could not update the idle index version in place; writing every vector instead');
    if (renamed) await o.stores.drop(o.collection).catch(() => undefined);
    return undefined;
  }
}

async function upsertSome(store: VectorStore, o: WriteVersionOptions, indices: number[]): Promise<void> {
  for (let i = 0; i < indices.length; i += STEP) {
    const batch = indices.slice(i, i + STEP);
    await store.upsert(batch.map((j) => o.chunks[j]!), batch.map((j) => Array.from(o.vectors[j]!)));
    o.onStored?.(Math.min(i + STEP, indices.length), indices.length);
  }
}
