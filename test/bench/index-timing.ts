/**
 * Helpers for the indexing benchmarks: one timed index run split into its phases, a reset that makes the next
 * run a true from-scratch build (no index, no embedding cache, no collections), and the baselines those runs
 * are shown beside — a bare Chroma add of the same vectors, and a bare walk-and-stat of the source files.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { runIndex, type IndexRunOptions, type IndexSummary } from '../../src/indexing/indexer.js';
import { indexPaths, readManifest } from '../../src/indexing/index-files.js';
import { createChromaClient } from '../../src/stores/chroma-store.js';
import type { VectorStoreFactory } from '../../src/core/ports/vector-store.js';

export interface TimedRun { summary: IndexSummary; seconds: number; phases: { load: number; embed: number; store: number } }

/** One index run with its wall time split at the indexer's progress events: load, embed, store (+ keyword index). */
export async function timedIndexRun(opts: IndexRunOptions): Promise<TimedRun> {
  const t0 = performance.now();
  const firstAt: Partial<Record<'embed' | 'store', number>> = {};
  const summary = await runIndex({ ...opts, onProgress: (p) => { if (p.phase !== 'load') firstAt[p.phase] ??= performance.now(); } });
  const end = performance.now();
  const embedAt = firstAt.embed ?? firstAt.store ?? end;
  const storeAt = firstAt.store ?? end;
  return { summary, seconds: (end - t0) / 1000, phases: { load: (embedAt - t0) / 1000, embed: (storeAt - embedAt) / 1000, store: (end - storeAt) / 1000 } };
}

/** Forgets every index version and cached embedding in `dataDir` (the word-vector table stays: a one-time cost). */
export async function resetIndex(dataDir: string, stores: VectorStoreFactory): Promise<void> {
  for (const name of await stores.list()) await stores.drop(name);
  const p = indexPaths(dataDir);
  rmSync(p.indexDir, { recursive: true, force: true });
  rmSync(p.embeddingCacheDir, { recursive: true, force: true });
}

/**
 * The floor under the store phase: the serving collection's vectors read back, then added to a scratch
 * collection by a bare chromadb client — ids and embeddings only, in batches of 1000 like Docent's store.
 * Returns the seconds the adds took.
 */
export async function bareChromaAddSeconds(dataDir: string, chromaUrl: string): Promise<number> {
  const client = createChromaClient({ url: chromaUrl });
  const manifest = readManifest(dataDir)!;
  const source = await client.getCollection({ name: manifest.collection });
  // Read in pages: one response for a million 100-d vectors passes V8's string limit (measured: it threw).
  const ids: string[] = [];
  const embeddings: number[][] = [];
  for (let offset = 0; ; offset += 10_000) {
    const page = await source.get({ include: ['embeddings'], limit: 10_000, offset });
    ids.push(...page.ids);
    for (const e of page.embeddings as number[][]) embeddings.push(e);
    if (page.ids.length < 10_000) break;
  }
  const name = `bench_floor_${Date.now().toString(36)}`;
  const target = await client.createCollection({ name, embeddingFunction: null, configuration: { hnsw: { space: 'cosine' } } });
  try {
    const t0 = performance.now();
    for (let i = 0; i < ids.length; i += 1000) await target.add({ ids: ids.slice(i, i + 1000), embeddings: embeddings.slice(i, i + 1000) });
    return (performance.now() - t0) / 1000;
  } finally {
    await client.deleteCollection({ name });
  }
}

/** The floor under a no-change reindex: walking the source folders and stat-ing every file, nothing more. */
export function walkAndStatSeconds(sources: string[]): number {
  const t0 = performance.now();
  for (const root of sources) {
    for (const e of readdirSync(root, { withFileTypes: true, recursive: true })) if (e.isFile()) statSync(path.join(e.parentPath, e.name));
  }
  return (performance.now() - t0) / 1000;
}

/** Bytes under a directory. */
export function dirSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += statSync(path.join(e.parentPath, e.name)).size;
  }
  return total;
}
