/**
 * `npm run bench`: the performance figures in the README, measured in one run on this machine.
 *  1. index ../shared/catalogs/usfs + ../shared/pdfs from scratch with the no-download embedder;
 *  2. reindex with nothing changed (median of 3), and after touching one file;
 *  3. search latency p50/p95 over the eval questions, in a fresh search process after warm-up;
 *  4. peak RSS of Docent and of its Chroma server while indexing and searching (sampled every 50 ms).
 * Options: --embedder NAME (default word-vectors), --rounds N (search repetitions, default 5).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { loadConfig } from '../../src/config/load-config.js';
import { runIndex, type IndexRunOptions } from '../../src/indexing/indexer.js';
import { readManifest, indexPaths } from '../../src/indexing/index-files.js';
import { createLogger } from '../../src/logging/logger.js';
import { resolveEmbedder } from '../../src/runtime/embedder-factory.js';
import { openVectorStores } from '../../src/runtime/vector-stores.js';
import { startRssSampler } from './memory.js';
import { repoRoot } from './repo-root.js';
import { median, percentile } from './stats.js';

const execFileAsync = promisify(execFile);
const repo = repoRoot(import.meta.dirname);
const shared = path.resolve(repo, '../shared');
const { values: args } = parseArgs({ options: { embedder: { type: 'string' }, rounds: { type: 'string' } } });
if (!existsSync(shared)) {
  console.error(`bench needs ${shared} (catalogs and PDFs); it is not there.`);
  process.exit(1);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'docent-bench-'));
// A private copy of the PDFs so the "one file changed" run can touch a file without touching ../shared.
const pdfs = path.join(work, 'pdfs');
cpSync(path.join(shared, 'pdfs'), pdfs, { recursive: true });
const dataDir = path.join(work, 'data');
// A small folder of our own next to the shared catalogs, so the bench can change and add documents.
const notes = path.join(work, 'notes');
mkdirSync(notes, { recursive: true });
writeFileSync(path.join(notes, 'changing.md'), '# Changing note\n\nFirst version.\n');
const sources = [path.join(shared, 'catalogs/usfs'), pdfs, notes];
const embedderName = args.embedder ?? 'word-vectors';
const config = loadConfig({ env: { EMBEDDER: embedderName }, overrides: { dataDir, sources } });
const logger = createLogger({ level: 'warn', pretty: 'never' });
const f = (n: number, d = 1) => n.toFixed(d);
const mb = (b: number) => `${f(b / 2 ** 20, 0)} MB`;

const stores = await openVectorStores(config, logger);
try {
  // Preparing the word-vector table from the npm package is a one-time cost per data dir; time it apart.
  const t0 = performance.now();
  const { embedder } = await resolveEmbedder(config, null, logger);
  const prepSeconds = (performance.now() - t0) / 1000;

  const sampler = startRssSampler(() => [stores.serverPid?.()]);
  const run = (): Promise<Awaited<ReturnType<typeof runIndex>>> => runIndex({
    dataDir, sources, chunking: config.chunking, embedder, batchSize: config.embedder.batchSize, stores: stores.stores, logger,
    loader: { maxFileBytes: config.loader.maxFileMb * 2 ** 20, fetchTimeoutMs: config.loader.fetchTimeoutMs },
  } satisfies IndexRunOptions);
  const cold = await run();
  const noChange: number[] = [];
  for (let i = 0; i < 3; i++) noChange.push((await run()).seconds);
  const touched = path.join(pdfs, 'liboctave.pdf');
  const later = new Date(Date.now() + 1000);
  utimesSync(touched, later, later);
  const oneFile = await run();
  const indexMem = sampler.stop();

  // Search runs in a fresh process, as `docent search` and a bot serving the index do; Chroma is sampled here.
  const chromaSampler = startRssSampler(() => [stores.serverPid?.()]);
  const child = await execFileAsync(process.execPath, [path.join(import.meta.dirname, 'search-process.js'), dataDir, stores.chromaUrl, embedderName, String(Number(args.rounds ?? 5))], { maxBuffer: 2 ** 26 });
  const chromaMem = chromaSampler.stop();
  const search = JSON.parse(child.stdout.trim().split('\n').pop()!) as { times: number[]; peakRss: number; reranker: string };
  const times = search.times;

  // One changed document: a real new version (the changed text embedded, everything stored anew).
  writeFileSync(path.join(notes, 'changing.md'), '# Changing note\n\nSecond version, with new words about snow pillows.\n');
  const oneChanged = await run();

  // Search while a reindex builds a new version (300 new documents) in this process, on the same Chroma server.
  for (let i = 0; i < 300; i++) writeFileSync(path.join(notes, `bulk-${i}.md`), `# Bulk note ${i}\n\nStation ${i} logged ${i % 90} cm of snow on visit ${i}.\n`);
  const [duringChild, rebuilt] = await Promise.all([
    execFileAsync(process.execPath, [path.join(import.meta.dirname, 'search-process.js'), dataDir, stores.chromaUrl, embedderName, '2'], { maxBuffer: 2 ** 26 }),
    new Promise((r) => setTimeout(r, 1500)).then(run), // let the search process warm up first
  ]);
  const during = (JSON.parse(duringChild.stdout.trim().split('\n').pop()!) as { times: number[] }).times;
  const m = readManifest(dataDir)!;

  console.log(`Benchmark — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}, embedder ${embedder.id}, reranker ${search.reranker}`);
  console.log(`Corpus: ${m.documents} documents, ${m.chunks} chunks (usfs catalogs + ${path.basename(pdfs)}: gnuplot.pdf, liboctave.pdf)\n`);
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| word-vector table preparation (one-time per data dir) | ${f(prepSeconds)} s |`);
  console.log(`| index from scratch | ${f(cold.seconds)} s (${cold.embedded} chunks embedded) |`);
  console.log(`| reindex, nothing changed (median of 3) | ${f(median(noChange), 2)} s |`);
  console.log(`| reindex, one PDF touched (content same) | ${f(oneFile.seconds, 2)} s (changed: ${oneFile.changed}) |`);
  console.log(`| reindex, one document changed | ${f(oneChanged.seconds, 2)} s (changed: ${oneChanged.changed}, ${oneChanged.embedded} chunk embedded) |`);
  console.log(`| search p50 / p95 (${times.length} queries, in a search process, warm) | ${f(median(times), 1)} ms / ${f(percentile(times, 95), 1)} ms |`);
  console.log(`| search p50 / p95 while a reindex adds 300 documents (${during.length} queries; reindex ${f(rebuilt.seconds, 1)} s) | ${f(median(during), 1)} ms / ${f(percentile(during, 95), 1)} ms (${f(percentile(during, 95) / percentile(times, 95), 2)}× idle p95) |`);
  console.log(`| peak RSS while indexing: Docent / Chroma / sum | ${mb(indexMem.peakSelf)} / ${mb(indexMem.peakOthers)} / ${mb(indexMem.peakSum)} |`);
  console.log(`| peak RSS of a search process / Chroma meanwhile / sum | ${mb(search.peakRss)} / ${mb(chromaMem.peakOthers)} / ${mb(search.peakRss + chromaMem.peakOthers)} |`);
  console.log(`| index size on disk | ${mb(dirSize(indexPaths(dataDir).root))} |`);
} finally {
  await stores.close();
  rmSync(work, { recursive: true, force: true });
}

function dirSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += statSync(path.join(e.parentPath, e.name)).size;
  }
  return total;
}
