/**
 * `npm run bench`, catalog part: indexing, reindexing, search and memory over ../shared/catalogs/usfs +
 * ../shared/pdfs (+ a small folder of our own that the bench changes), with the no-download embedder.
 *  1. index from scratch, R times (index, embedding cache and collections reset between runs): seconds,
 *     documents/s and chunks/s, split into load / embed / store; beside a bare Chroma add of the same vectors;
 *  2. reindex with nothing changed, with one PDF touched (same content), with one document changed; beside a
 *     bare walk-and-stat of the sources and beside the from-scratch time;
 *  3. search p50/p95/p99 in a fresh search process, per round, beside a bare Chroma query for the same number
 *     of candidates measured in the same rounds (the floor); while a reindex runs (full mode);
 *  4. peak RSS of Docent and of its Chroma server while indexing and searching (sampled every 50 ms).
 * Every figure is the median over its runs with the spread (min–max). Options: --embedder NAME.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { loadConfig } from '../../src/config/load-config.js';
import type { IndexRunOptions } from '../../src/indexing/indexer.js';
import { indexPaths, readManifest } from '../../src/indexing/index-files.js';
import { createLogger } from '../../src/logging/logger.js';
import { resolveEmbedder } from '../../src/runtime/embedder-factory.js';
import { openVectorStores } from '../../src/runtime/vector-stores.js';
import { bareChromaAddSeconds, dirSize, resetIndex, timedIndexRun, walkAndStatSeconds, type TimedRun } from './index-timing.js';
import { startRssSampler } from './memory.js';
import { repoRoot } from './repo-root.js';
import { linkSharedModels } from './shared-models.js';
import { percentileAcrossRuns, quickMode, repeat, repetitions, show, spread, times, type Spread } from './stats.js';

const execFileAsync = promisify(execFile);
const repo = repoRoot(import.meta.dirname);
const shared = path.resolve(repo, '../shared');
const { values: args } = parseArgs({ options: { embedder: { type: 'string' } } });
if (!existsSync(shared)) {
  console.error(`bench needs ${shared} (catalogs and PDFs); it is not there.`);
  process.exit(1);
}
const quick = quickMode();

const work = mkdtempSync(path.join(os.tmpdir(), 'docent-bench-'));
// A private copy of the PDFs so the "one file touched" runs can touch a file without touching ../shared.
const pdfs = path.join(work, 'pdfs');
cpSync(path.join(shared, 'pdfs'), pdfs, { recursive: true });
const dataDir = path.join(work, 'data');
// A small folder of our own next to the shared catalogs, so the bench can change and add documents.
const notes = path.join(work, 'notes');
mkdirSync(notes, { recursive: true });
writeFileSync(path.join(notes, 'changing.md'), '# Changing note\n\nFirst version.\n');
const sources = [path.join(shared, 'catalogs/usfs'), pdfs, notes];
const { alreadyConverted } = linkSharedModels(dataDir);
const embedderName = args.embedder ?? 'word-vectors';
const config = loadConfig({ env: { EMBEDDER: embedderName }, overrides: { dataDir, sources } });
const logger = createLogger({ level: 'warn', pretty: 'never' });
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const rate = (count: number, s: Spread) => spread([count / s.max, count / s.median, count / s.min]);

interface SearchResult { rounds: Array<{ docent: number[]; floor: number[] }>; peakRss: number; reranker: string; candidates: number }
const searchProcess = async (rounds: number): Promise<SearchResult> => {
  const child = await execFileAsync(process.execPath, [path.join(import.meta.dirname, 'search-process.js'), dataDir, stores.chromaUrl, embedderName, String(rounds), quick ? '30' : '1000'], { maxBuffer: 2 ** 26 });
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as SearchResult;
};

const stores = await openVectorStores(config, logger);
try {
  // Converting the word-vector table from the npm package is a one-time cost per machine (shared cache); time it apart.
  const t0 = performance.now();
  const { embedder } = await resolveEmbedder(config, null, logger);
  const prepSeconds = (performance.now() - t0) / 1000;
  const run = (): Promise<TimedRun> => timedIndexRun({
    dataDir, sources, chunking: config.chunking, embedder, batchSize: config.embedder.batchSize, stores: stores.stores, logger,
    loader: { maxFileBytes: config.loader.maxFileMb * 2 ** 20, fetchTimeoutMs: config.loader.fetchTimeoutMs },
  } satisfies IndexRunOptions);

  // 1. From scratch, R times; Docent's and Chroma's memory sampled throughout.
  const sampler = startRssSampler(() => [stores.serverPid?.()]);
  const cold = await repeat(repetitions(3, 2), async () => {
    await resetIndex(dataDir, stores.stores);
    return run();
  });
  const indexMem = sampler.stop();
  const floorAdd = await repeat(repetitions(3, 2), () => bareChromaAddSeconds(dataDir, stores.chromaUrl));
  const last = cold.at(-1)!.summary;

  // 2. Reindexes: nothing changed; one PDF touched (re-parsed, same content); one document changed.
  const noChange = await repeat(repetitions(5, 3), async () => (await run()).seconds);
  const walk = await repeat(repetitions(5, 3), async () => walkAndStatSeconds(sources));
  const touched = await repeat(repetitions(3, 2), async (i) => {
    const later = new Date(Date.now() + 1000 * (i + 1));
    utimesSync(path.join(pdfs, 'liboctave.pdf'), later, later);
    return run();
  });
  const changed = await repeat(repetitions(3, 2), async (i) => {
    writeFileSync(path.join(notes, 'changing.md'), `# Changing note\n\nVersion ${i + 2}, with new words about snow pillows.\n`);
    return run();
  });

  // 3. Search in a fresh process, as `docent search` and a bot serving the index run; Chroma sampled here.
  const chromaSampler = startRssSampler(() => [stores.serverPid?.()]);
  const search = await searchProcess(repetitions(5, 3));
  const chromaMem = chromaSampler.stop();
  const docentRounds = search.rounds.map((r) => r.docent);
  const floorRounds = search.rounds.map((r) => r.floor);

  // Search while a reindex builds a new version (300 new documents) in this process, on the same Chroma server.
  let during: { rounds: number[][]; reindexSeconds: number } | null = null;
  if (!quick) {
    for (let i = 0; i < 300; i++) writeFileSync(path.join(notes, `bulk-${i}.md`), `# Bulk note ${i}\n\nStation ${i} logged ${i % 90} cm of snow on visit ${i}.\n`);
    const [child, rebuilt] = await Promise.all([
      searchProcess(2),
      new Promise((r) => setTimeout(r, 1500)).then(run), // let the search process warm up first
    ]);
    during = { rounds: child.rounds.map((r) => r.docent), reindexSeconds: rebuilt.seconds };
  }

  const m = readManifest(dataDir)!;
  const scratch = spread(cold.map((c) => c.seconds));
  const floor = spread(floorAdd);
  const phase = (k: 'load' | 'embed' | 'store') => show(spread(cold.map((c) => c.phases[k])), 's', 2);
  const p = (runs: number[][], q: number) => percentileAcrossRuns(runs, q);
  const searchRow = (label: string, q: number) =>
    `| ${label} | ${show(p(docentRounds, q), 'ms')} | ${show(p(floorRounds, q), 'ms')} | ${times(p(docentRounds, q).median, p(floorRounds, q).median)} |`;

  console.log(`Catalog benchmark — embedder ${embedder.id}, reranker ${search.reranker}; corpus: ${last.documents} documents, ${last.chunks} chunks`);
  console.log(`(../shared/catalogs/usfs + ../shared/pdfs + one note). Figures: median (min–max) over the runs shown.\n`);
  console.log('| indexing | median (min–max) | rate | baseline in the same run | ratio |');
  console.log('|---|---|---|---|---|');
  console.log(`| word-vector table: ${alreadyConverted ? 'loaded from the shared cache' : 'converted from the npm package (once per machine)'} | ${prepSeconds.toFixed(1)} s | | | |`);
  console.log(`| index from scratch, ${cold.length} runs | ${show(scratch, 's', 2)} | ${show(rate(last.documents, scratch), 'documents/s', 0)}; ${show(rate(last.chunks, scratch), 'chunks/s', 0)} | bare Chroma add of the same ${last.chunks} vectors (ids + embeddings only): ${show(floor, 's', 2)} | ${times(scratch.median, floor.median)} |`);
  console.log(`| of which load / embed / store + keyword index | ${phase('load')} / ${phase('embed')} / ${phase('store')} | | | |`);
  console.log(`| reindex, nothing changed, ${noChange.length} runs | ${show(spread(noChange), 's', 3)} | | walk + stat of every source file: ${show(spread(walk), 's', 3)} | ${times(spread(noChange).median, spread(walk).median)} |`);
  console.log(`| reindex, one PDF touched (re-parsed, same content), ${touched.length} runs | ${show(spread(touched.map((t) => t.seconds)), 's', 2)} | | from scratch: ${show(scratch, 's', 2)} | ${times(spread(touched.map((t) => t.seconds)).median, scratch.median, 2)} |`);
  console.log(`| reindex, one document changed, ${changed.length} runs | ${show(spread(changed.map((t) => t.seconds)), 's', 2)} (${changed[0]!.summary.embedded} chunk embedded, new version stored) | | from scratch: ${show(scratch, 's', 2)} | ${times(spread(changed.map((t) => t.seconds)).median, scratch.median, 2)} |`);
  console.log('');
  console.log(`| search (${docentRounds[0]!.length} questions × ${docentRounds.length} rounds, fresh process, warm) | Docent search (default retriever, ${search.reranker === 'none' ? 'no reranker' : search.reranker}) | bare Chroma query, ${search.candidates} candidates (floor) | ratio |`);
  console.log('|---|---|---|---|');
  console.log(searchRow('p50', 50));
  console.log(searchRow('p95', 95));
  console.log(searchRow('p99', 99));
  if (during) {
    const idle95 = p(docentRounds, 95).median;
    console.log(`| p50 / p95 while a reindex adds 300 documents (reindex ${during.reindexSeconds.toFixed(1)} s) | ${show(p(during.rounds, 50), 'ms')} / ${show(p(during.rounds, 95), 'ms')} | | p95 ${times(p(during.rounds, 95).median, idle95, 2)} idle p95 |`);
  }
  console.log('');
  console.log('| memory (peak RSS, sampled every 50 ms) | Docent | Chroma | sum |');
  console.log('|---|---|---|---|');
  console.log(`| while indexing (all from-scratch and reindex runs) | ${mb(indexMem.peakSelf)} | ${mb(indexMem.peakOthers)} | ${mb(indexMem.peakSum)} |`);
  console.log(`| search process while searching | ${mb(search.peakRss)} | ${mb(chromaMem.peakOthers)} | ${mb(search.peakRss + chromaMem.peakOthers)} |`);
  console.log(`\nIndex on disk: ${mb(dirSize(indexPaths(dataDir).root))} (Chroma files, keyword index, embedding cache; version ${m.version}).`);
} finally {
  await stores.close();
  rmSync(work, { recursive: true, force: true });
}
