/**
 * `npm run bench`, scale part: the same serving path at 100,000 synthetic chunks (3,000 in quick mode).
 * A synthetic DCAT catalog built from the USFS feed's vocabulary (synthetic-catalog.ts; one chunk per record) is
 * indexed once from scratch — documents/s, chunks/s and peak RSS, beside a bare Chroma add of the same vectors —
 * then searched from a fresh process: p50/p95/p99 per round beside a bare Chroma query for the same number of
 * candidates (the floor), so the ratio is Docent's overhead at this size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logging/logger.js';
import { resolveEmbedder } from '../../src/runtime/embedder-factory.js';
import { openVectorStores } from '../../src/runtime/vector-stores.js';
import { statSync } from 'node:fs';
import { indexPaths } from '../../src/indexing/index-files.js';
import { bareChromaAddSeconds, dirSize, timedIndexRun } from './index-timing.js';
import { startRssSampler } from './memory.js';
import { repoRoot } from './repo-root.js';
import { linkSharedModels } from './shared-models.js';
import { percentileAcrossRuns, quickMode, repetitions, show, times } from './stats.js';
import { reviseRecords, writeSyntheticCatalog } from './synthetic-catalog.js';

const execFileAsync = promisify(execFile);
const repo = repoRoot(import.meta.dirname);
// DOCENT_SCALE_CHUNKS runs another size (the 1M-chunk run in the README: DOCENT_SCALE_CHUNKS=1000000).
const records = Number(process.env.DOCENT_SCALE_CHUNKS) || (quickMode() ? 3_000 : 100_000);
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-scale-bench-'));
const dataDir = path.join(work, 'data');
const feeds = path.join(work, 'synthetic');
linkSharedModels(dataDir); // the one-time word-vector conversion is run-bench's figure, not this part's
const config = loadConfig({ env: { EMBEDDER: 'word-vectors' }, overrides: { dataDir, sources: [feeds] } });
const logger = createLogger({ level: 'warn', pretty: 'never' });
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

const feedFiles = writeSyntheticCatalog({ sourceFeed: path.resolve(repo, '../shared/catalogs/usfs/gdd/gdd_metadata.json'), dir: feeds, records });
const stores = await openVectorStores(config, logger);
try {
  const { embedder } = await resolveEmbedder(config, null, logger);
  const sampler = startRssSampler(() => [stores.serverPid?.()]);
  const built = await timedIndexRun({
    dataDir, sources: [feeds], chunking: config.chunking, embedder, batchSize: config.embedder.batchSize, stores: stores.stores, logger,
    loader: { maxFileBytes: config.loader.maxFileMb * 2 ** 20, fetchTimeoutMs: config.loader.fetchTimeoutMs },
  });
  const mem = sampler.stop();
  const paths = indexPaths(dataDir);
  const keywordBytes = statSync(paths.keywordFile(built.summary.version)).size;
  const chromaBytes = dirSize(paths.chromaDir);
  const floorAdd = await bareChromaAddSeconds(dataDir, stores.chromaUrl);

  const chromaSampler = startRssSampler(() => [stores.serverPid?.()]);
  const child = await execFileAsync(process.execPath, [path.join(import.meta.dirname, 'search-process.js'), dataDir, stores.chromaUrl, 'word-vectors', String(repetitions(5, 3)), quickMode() ? '30' : '1000'], { maxBuffer: 2 ** 26 });
  const chromaMem = chromaSampler.stop();
  const search = JSON.parse(child.stdout.trim().split('\n').pop()!) as { rounds: Array<{ docent: number[]; floor: number[] }>; peakRss: number; candidates: number; reranker: string };
  const docent = search.rounds.map((r) => r.docent);
  const floor = search.rounds.map((r) => r.floor);
  const { summary: s, seconds, phases } = built;

  // A reindex after 1 % of the records changed, twice: the first has no idle version to update (every vector is
  // written to a new collection); the second applies the difference to the idle one.
  const reindexes = [];
  // DOCENT_SCALE_REINDEX_ROUNDS=0 stops after the search (the 1M run's reindex alone takes about an hour).
  const rounds = Number(process.env.DOCENT_SCALE_REINDEX_ROUNDS ?? 2);
  for (const round of [1, 2].slice(0, rounds)) {
    reviseRecords(feedFiles, Math.max(1, Math.round(records / 100)), round);
    reindexes.push(await timedIndexRun({
      dataDir, sources: [feeds], chunking: config.chunking, embedder, batchSize: config.embedder.batchSize, stores: stores.stores, logger,
      loader: { maxFileBytes: config.loader.maxFileMb * 2 ** 20, fetchTimeoutMs: config.loader.fetchTimeoutMs },
    }));
  }

  console.log(`Scale benchmark — ${s.chunks.toLocaleString('en-US')} synthetic chunks (${s.documents.toLocaleString('en-US')} DCAT records recombined from the USFS feed's vocabulary), embedder ${embedder.id}, reranker ${search.reranker}.\n`);
  console.log('| indexing from scratch (one run) | value | baseline in the same run | ratio |');
  console.log('|---|---|---|---|');
  console.log(`| wall time | ${seconds.toFixed(1)} s: load ${phases.load.toFixed(1)} / embed ${phases.embed.toFixed(1)} / store + keyword index ${phases.store.toFixed(1)} s | bare Chroma add of the same vectors (ids + embeddings only): ${floorAdd.toFixed(1)} s | ${times(seconds, floorAdd)} |`);
  console.log(`| throughput | ${(s.documents / seconds).toFixed(0)} documents/s, ${(s.chunks / seconds).toFixed(0)} chunks/s | ${(s.chunks / floorAdd).toFixed(0)} vectors/s | |`);
  console.log(`| peak RSS: Docent / Chroma / sum | ${mb(mem.peakSelf)} / ${mb(mem.peakOthers)} / ${mb(mem.peakSum)} | | |`);
  for (const [i, r] of reindexes.entries()) {
    const w = r.summary.stored;
    const how = w?.mode === 'diff' ? `difference applied to the idle collection: ${w.upserted} vectors written, ${w.deleted} deleted` : `every vector written to a new collection (${w?.upserted ?? 0})`;
    console.log(`| reindex after 1 % of records changed, ${i === 0 ? 'first (no idle version yet)' : 'second'} | ${r.seconds.toFixed(1)} s: load ${r.phases.load.toFixed(1)} / embed ${r.phases.embed.toFixed(1)} / store ${r.phases.store.toFixed(1)} s; ${how} | from scratch: ${seconds.toFixed(1)} s | ${times(r.seconds, seconds)} |`);
  }
  console.log(`| on disk: keyword index (SQLite FTS5) / Chroma (vectors + filter metadata, before the bare-add baseline) | ${mb(keywordBytes)} / ${mb(chromaBytes)} | | |`);
  console.log('');
  console.log(`| search (${docent[0]!.length} questions × ${docent.length} rounds, fresh process, warm) | Docent search (default retriever, ${search.reranker === 'none' ? 'no reranker' : search.reranker}) | bare Chroma query, ${search.candidates} candidates (floor) | ratio |`);
  console.log('|---|---|---|---|');
  for (const q of [50, 95, 99]) {
    const d = percentileAcrossRuns(docent, q);
    const f = percentileAcrossRuns(floor, q);
    console.log(`| p${q} | ${show(d, 'ms')} | ${show(f, 'ms')} | ${times(d.median, f.median)} |`);
  }
  console.log(`| peak RSS: search process / Chroma meanwhile | ${mb(search.peakRss)} | ${mb(chromaMem.peakOthers)} | |`);
} finally {
  await stores.close();
  rmSync(work, { recursive: true, force: true });
}
