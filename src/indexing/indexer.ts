import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Chunk, DocumentRecord } from '../core/types.js';
import { DocentError } from '../core/errors.js';
import { sha256Of } from '../core/hash.js';
import { loopYielder } from '../core/loop-yield.js';
import { isCatalogRecord } from '../core/record-fields.js';
import type { Logger } from '../logging/logger.js';
import type { Embedder } from '../core/ports/embedder.js';
import { EmbeddingCache, embedWithCache } from '../providers/embedders/embedding-cache.js';
import { isReadableKeywordIndex } from '../stores/sqlite-keyword-index.js';
import { writeVersion, type VersionWrite } from './write-version.js';
import type { VectorStoreFactory } from '../core/ports/vector-store.js';
import { CHUNKER_VERSION, chunkDocument, type ChunkingOptions } from './chunker.js';
import { DocumentCache } from './document-cache.js';
import { indexPaths, readManifest, writeManifest, type IndexManifest } from './index-files.js';
import type { LoadContext, SkippedItem } from './loaders/loader.js';
import { listSourceItems, loadSourceItem, type SourceItem } from '../indexing/sources.js';
import { redactUrl } from '../core/redact-url.js';
import type { IndexProgress, IndexReport } from '../core/index-report.js';
import { STRICT_FETCH_POLICY, withFetchPolicy, type FetchPolicy } from './loaders/fetch-policy.js';
import { redactorFor, redactSkipped } from './redact-loaded.js';

export interface IndexRunOptions {
  dataDir: string;
  sources: string[];
  chunking: ChunkingOptions;
  /** Read and parse limits (loaderLimits(config.loader)); parse/read timeouts fall back to loader-limits.ts defaults. */
  loader: Pick<LoadContext, 'maxFileBytes' | 'fetchTimeoutMs' | 'readTimeoutMs' | 'parse'>;
  embedder: Embedder;
  batchSize: number;
  stores: VectorStoreFactory;
  logger: Logger;
  onProgress?: (p: IndexProgress) => void;
  /** Which addresses URL sources may be fetched from (FETCH_ALLOW_PRIVATE / FETCH_ALLOW_HOSTS); default strict. */
  fetchPolicy?: FetchPolicy;
  /**
   * Called after the new manifest is written and before older versions are dropped: a running process swaps
   * to the new version here, so no question is ever sent to a collection that has just been deleted.
   */
  beforeRetire?: () => Promise<void>;
}

/** The full record of a run; `IndexReport` (src/core/index-report.ts) is the part a person is shown. */
export interface IndexSummary extends IndexReport {
  /** The embedder that built (or would have rebuilt) the index. */
  embedderId: string;
  /** Chunks that went to the embedder this run (the rest came from the embedding cache). */
  embedded: number;
  skipped: SkippedItem[];
  /** How the vectors were written: every one (full), or the difference applied to the idle collection. */
  stored?: VersionWrite;
}

/**
 * One indexing run: sources → documents → chunks → embeddings → a new index version, swapped in only when
 * everything succeeded. A failure leaves the previous version serving; unchanged content builds nothing.
 */
export async function runIndex(o: IndexRunOptions): Promise<IndexSummary> {
  const started = performance.now();
  const paths = indexPaths(o.dataDir);
  const previous = readManifest(o.dataDir);
  const skipped: SkippedItem[] = [];
  const notes: string[] = [];
  const docCache = new DocumentCache(paths.documentCache);

  const { docs, perSourceDocs } = await withFetchPolicy(o.fetchPolicy ?? STRICT_FETCH_POLICY, () => loadAll(o, docCache, skipped, notes));
  if (docs.length === 0) {
    // Say why here: the summary with its skipped list is never printed when the run fails.
    const why = skipped.slice(0, 5).map(redactSkipped).map((k) => `${k.location} — ${k.reason}`);
    if (skipped.length > 5) why.push(`and ${skipped.length - 5} more`);
    const detail = why.length ? ` (${why.join('; ')})` : ' (the sources hold no file Docent reads: .md, .txt, .html, .pdf, .json, .xml)';
    throw new DocentError('index_empty', 'user', `No documents could be loaded from the configured sources${detail}; the previous index (if any) is still serving.`, {
      hint: 'Check the paths or URLs given with --source or SOURCES.',
    });
  }
  const documentHashes = Object.fromEntries(docs.map((d) => [documentKey(d), d.contentHash]));
  const diff = diffDocuments(previous?.documentHashes ?? {}, documentHashes);
  const existing = previous ? await o.stores.list() : [];
  const inputsHash = inputsHashOf(docs, o.chunking);
  // The previous version can serve on: same embedder, its collection and a keyword file this Docent reads.
  const servable = previous !== null &&
    previous.embedder.id === o.embedder.id &&
    previous.embedder.dimension === o.embedder.dimension &&
    existing.includes(previous.collection) &&
    // An index from an older Docent (BM25 in JSON, or an older SQLite layout) gets a keyword file it can read.
    isReadableKeywordIndex(paths.keywordFile(previous.version));
  const unchanged = (chunkCount: number, perSource: IndexManifest['perSource']): IndexSummary => {
    const seconds = (performance.now() - started) / 1000;
    writeManifest(o.dataDir, { ...previous!, documentHashes, inputsHash, checkedAt: new Date().toISOString(), lastRun: { seconds, skipped } });
    docCache.save();
    return { embedderId: o.embedder.id, changed: false, version: previous!.version, documents: docs.length, chunks: chunkCount, embedded: 0, skipped, notes, seconds, perSource, diff };
  };
  // Not one document, field or setting changed: the chunks would be the same, so chunking (the bulk of a
  // no-change run: ~100 ms of ~200 ms on the catalogs, minutes at a million records) is skipped.
  if (servable && previous.inputsHash === inputsHash) return unchanged(previous.chunks, previous.perSource);
  const chunks = uniqueIds(await chunkAll(docs, o.chunking));
  const perSource = countPerSource(chunks, perSourceDocs);
  // Fields and a record's modified date count too: the keyword index serves them (dataset cards, date filters), so
  // a changed publisher, link or record date alone must still build a version that shows it. A plain file's
  // modified is its mtime: touching a file stays no change.
  const contentHash = sha256Of(chunks.map((c) => `${c.id}:${c.textHash}:${isCatalogRecord(c.kind) ? c.modified ?? '' : ''}:${JSON.stringify(c.fields ?? {})}`));
  // Same chunks by content (a touched file, a reordered feed): the previous version still serves.
  if (servable && previous.contentHash === contentHash) return unchanged(chunks.length, perSource);

  const cache = new EmbeddingCache(paths.embeddingCacheDir, o.embedder.id, o.embedder.dimension);
  const { vectors, embedded } = await embedWithCache(o.embedder, cache, chunks, o.batchSize, (done, total) =>
    o.onProgress?.({ phase: 'embed', done, total }),
  );

  const version = (previous?.version ?? 0) + 1;
  const collection = `docent_v${version}_${Date.now().toString(36)}`;
  const idle = previous?.previousVersion;
  const reuse = idle && existing.includes(idle.collection) && isReadableKeywordIndex(paths.keywordFile(idle.version))
    ? { collection: idle.collection, keywordFile: paths.keywordFile(idle.version) }
    : undefined;
  const stored = await writeVersion({
    stores: o.stores, stamp: { embedderId: o.embedder.id, dimension: o.embedder.dimension }, collection,
    keywordFile: paths.keywordFile(version), docs, chunks, vectors, reuse, logger: o.logger,
    onStored: (done, total) => o.onProgress?.({ phase: 'store', done, total }),
  });

  const now = new Date().toISOString();
  const seconds = (performance.now() - started) / 1000;
  const manifest: IndexManifest = {
    formatVersion: 1,
    version,
    collection,
    embedder: { id: o.embedder.id, dimension: o.embedder.dimension },
    builtAt: now,
    checkedAt: now,
    sources: o.sources.map(redactUrl),
    documents: docs.length,
    chunks: chunks.length,
    perSource,
    contentHash,
    inputsHash,
    documentHashes,
    lastRun: { seconds, skipped },
    ...(previous ? { previousVersion: { version: previous.version, collection: previous.collection } } : {}),
  };
  writeManifest(o.dataDir, manifest);
  docCache.save();
  await o.beforeRetire?.();
  await retireOldVersions(o, [collection, previous?.collection], existing, [version, previous?.version]);
  return { embedderId: o.embedder.id, changed: true, version, documents: docs.length, chunks: chunks.length, embedded, skipped, notes, seconds, perSource, diff, stored };
}

async function loadAll(o: IndexRunOptions, cache: DocumentCache, skipped: SkippedItem[], notes: string[]) {
  const docs: DocumentRecord[] = [];
  const perSourceDocs = new Map<string, number>();
  for (const source of o.sources) {
    const listCtx = context(o, (s) => skipped.push(s));
    const items = await listSourceItems(source, listCtx);
    let done = 0;
    for (const item of items) {
      const loaded = await loadItem(o, item, cache, skipped, notes);
      docs.push(...loaded);
      // Keyed like the documents' sourceRoot: the redacted URL (credentials never reach the manifest).
      perSourceDocs.set(redactUrl(source), (perSourceDocs.get(redactUrl(source)) ?? 0) + loaded.length);
      o.onProgress?.({ phase: 'load', done: ++done, total: items.length });
    }
  }
  return { docs, perSourceDocs };
}

async function loadItem(o: IndexRunOptions, item: SourceItem, cache: DocumentCache, skipped: SkippedItem[], notes: string[]) {
  // The request uses item.location as configured (with its credentials); everything kept uses the redacted form.
  const key = redactUrl(item.location);
  const redact = redactorFor(item.location);
  // Cached documents carry the source they were loaded under (sourceRoot, and a sourceId relative to it): a file
  // indexed before under another source (`data` then `data/sample/guides`) is loaded again, or its citations,
  // per-source counts and channel scopes would keep naming the old source.
  const root = redactUrl(item.sourceRoot);
  const underThisSource = (docs: DocumentRecord[]) => docs.every((d) => d.sourceRoot === root);
  const fresh = cache.fresh(key, item.size, item.mtimeMs);
  if (fresh && underThisSource(fresh)) return fresh;
  const itemSkips: SkippedItem[] = [];
  let validators: { etag?: string; lastModified?: string } | undefined = cache.conditional(key)?.validators;
  const loaded = await loadSourceItem(item, {
    ...context(o, (s) => itemSkips.push(redact.skip(s))),
    previous: (loc) => cache.conditional(redactUrl(loc)),
    onValidators: (_loc, v) => (validators = v),
  });
  // A 304 hands back the cached (already redacted) documents; redacting twice changes nothing.
  const docs = redact.active ? loaded.map((d) => redact.doc(d)) : loaded;
  if (itemSkips.length === 0) {
    cache.put(key, item.size, item.mtimeMs, docs, validators);
    return docs;
  }
  // A whole URL that failed keeps serving its last good copy; partial skips (one bad dataset) are just reported.
  const last = item.size < 0 && docs.length === 0 ? cache.lastGood(key) : undefined;
  if (last && last.docs.length && underThisSource(last.docs)) {
    notes.push(`${key}: ${itemSkips[0]!.reason}; kept the copy fetched at ${last.fetchedAt}`);
    o.logger.warn({ location: key, reason: itemSkips[0]!.reason }, 'source unreachable; using its last good copy');
    return last.docs;
  }
  skipped.push(...itemSkips);
  for (const s of itemSkips) o.logger.warn({ location: s.location, reason: s.reason }, 'skipped');
  if (docs.length) cache.put(key, item.size, item.mtimeMs, docs);
  return docs;
}

function context(o: IndexRunOptions, onSkip: (s: SkippedItem) => void): LoadContext {
  return { ...o.loader, onSkip };
}

/** Chunks every document, giving the event loop a turn every ~20 ms (whole manuals take ~0.5 s: loop-yield.ts). */
async function chunkAll(docs: readonly DocumentRecord[], options: ChunkingOptions): Promise<Chunk[]> {
  const maybeYield = loopYielder();
  const out: Chunk[] = [];
  for (const d of docs) {
    await maybeYield();
    for (const c of chunkDocument(d, options)) out.push(c);
  }
  return out;
}

/** Two documents can yield the same chunk id (a feed listing one identifier twice); keep ids unique. */
function uniqueIds(chunks: Chunk[]): Chunk[] {
  const seen = new Map<string, number>();
  return chunks.map((c) => {
    const n = seen.get(c.id) ?? 0;
    seen.set(c.id, n + 1);
    return n === 0 ? c : { ...c, id: `${c.id}-${n}` };
  });
}

function documentKey(d: DocumentRecord): string {
  return `${d.sourceRoot}\u0000${d.sourceId}\u0000${d.page ?? ''}`;
}

function diffDocuments(before: Record<string, string>, after: Record<string, string>): IndexSummary['diff'] {
  let added = 0;
  let changed = 0;
  for (const [key, hash] of Object.entries(after)) {
    if (!(key in before)) added++;
    else if (before[key] !== hash) changed++;
  }
  const removed = Object.keys(before).filter((k) => !(k in after)).length;
  return { added, changed, removed };
}

function countPerSource(chunks: Chunk[], perSourceDocs: Map<string, number>) {
  const out: Record<string, { documents: number; chunks: number }> = {};
  for (const [root, n] of perSourceDocs) out[root] = { documents: n, chunks: 0 };
  for (const c of chunks) (out[c.sourceRoot] ??= { documents: 0, chunks: 0 }).chunks++;
  return out;
}

/**
 * Drops every docent collection and keyword file except the new version's and the one it replaces (earlier
 * versions and leftovers of crashed or killed runs), once the manifest already points at the new one. The
 * replaced version lives on until the next run so that another process still serving it (a search, a replica
 * that has not reloaded yet) keeps working.
 */
async function retireOldVersions(o: IndexRunOptions, keepCollections: Array<string | undefined>, existing: string[], keepVersions: Array<number | undefined>): Promise<void> {
  for (const name of existing) {
    if (keepCollections.includes(name) || !name.startsWith('docent_v')) continue;
    await o.stores.drop(name).catch((err: unknown) => o.logger.warn({ err, name }, 'could not drop an old index version'));
  }
  const { indexDir, keywordFile } = indexPaths(o.dataDir);
  const keep = new Set(keepVersions.filter((v): v is number => v !== undefined).map((v) => path.basename(keywordFile(v))));
  for (const f of readdirSync(indexDir)) {
    // Older indexes kept BM25 in a JSON file; both kinds, and tmp files of killed runs, are swept here.
    if (/^keyword-v\d+\.(json|sqlite)(\..*\.tmp|\.tmp)?$/.test(f) && !keep.has(f)) rmSync(path.join(indexDir, f), { force: true });
  }
}

/**
 * What the chunks are made from, hashed: each document with its text stood in for by its contentHash (the text
 * is most of the bytes; every other field — title, fields, modified, source, path, page — as it is), the chunking
 * settings and the chunker's version. Conservative by design: anything that could change a chunk changes it.
 */
function inputsHashOf(docs: readonly DocumentRecord[], chunking: ChunkingOptions): string {
  return sha256Of([`chunker:${CHUNKER_VERSION}`, JSON.stringify(chunking), ...docs.map((d) => JSON.stringify({ ...d, text: d.contentHash }))]);
}
