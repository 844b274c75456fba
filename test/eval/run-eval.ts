/**
 * `npm run eval`: retrieval quality on the labelled USFS question set (test/eval/usfs-questions.json).
 * Indexes ../shared/catalogs/usfs into its own data dir (reused between runs), then asks every question of
 * each retriever and prints recall@1, recall@5 and MRR@10, overall and by question style, plus latency.
 *
 * A question counts as answered at rank r when the hit at r is one of its relevant records — or has one folded
 * into it as a near-duplicate twin. Options: --embedder NAME (default: auto), --data-dir DIR, --json.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/load-config.js';
import { relevantPassages } from '../../src/core/answer/relevance.js';
import { runIndex } from '../../src/indexing/indexer.js';
import { readManifest } from '../../src/indexing/index-files.js';
import { createLogger } from '../../src/logging/logger.js';
import { HybridRetriever, type RetrieveOptions, type RetrievedHit } from '../../src/rag/hybrid-retriever.js';
import { resolveEmbedder } from '../../src/runtime/embedder-factory.js';
import { createReranker } from '../../src/runtime/reranker-factory.js';
import { openSearchService } from '../../src/runtime/search-service.js';
import { openVectorStores } from '../../src/runtime/vector-stores.js';
import { repoRoot } from '../bench/repo-root.js';
import { linkSharedModels } from '../bench/shared-models.js';
import { percentileAcrossRuns, quickMode, repetitions, show, times as ratio, type Spread } from '../bench/stats.js';

interface Question {
  id: string;
  question: string;
  style: 'user' | 'record';
  relevant: string[];
}

const repo = repoRoot(import.meta.dirname);
const usfs = path.resolve(repo, '../shared/catalogs/usfs');
const { values: args } = parseArgs({
  options: { embedder: { type: 'string' }, 'data-dir': { type: 'string' }, reranker: { type: 'string' }, json: { type: 'boolean' } },
});

if (!existsSync(usfs)) {
  console.error(`eval needs the shared USFS catalogs at ${usfs}; they are not there.`);
  process.exit(1);
}
// Latency rounds (`npm run bench` full mode: 3; quick: 1). `npm run eval` alone runs 3.
const latencyRounds = repetitions(3, 1);
const questions = JSON.parse(readFileSync(path.join(repo, 'test/eval/usfs-questions.json'), 'utf8')) as Question[];
const env = { ...process.env, ...(args.embedder ? { EMBEDDER: args.embedder } : {}), ...(args.reranker ? { RERANKER: args.reranker } : {}) };
const dataDir = args['data-dir'] ?? path.join(repo, '.docent-eval', (args.embedder ?? 'auto').replace(/[^a-z0-9-]/gi, '_'));
// A new eval data dir takes the word-vector table from the cache the tests and benchmarks share (converting it
// from the npm package costs seconds once per machine, not once per data dir).
if (!existsSync(dataDir)) linkSharedModels(dataDir);
const config = loadConfig({ env, overrides: { dataDir, sources: [usfs], 'retrieval.reranker': env.RERANKER ?? 'word-vectors' } });
const logger = createLogger({ level: 'warn', pretty: 'never' });
const stores = await openVectorStores(config, logger);
try {
  const embedder = await resolveEmbedder(config, readManifest(dataDir), logger);
  const summary = await runIndex({
    dataDir, sources: config.sources, chunking: config.chunking,
    loader: { maxFileBytes: config.loader.maxFileMb * 2 ** 20, fetchTimeoutMs: config.loader.fetchTimeoutMs },
    embedder: embedder.embedder, batchSize: config.embedder.batchSize, stores: stores.stores, logger,
  });
  const reranker = await createReranker(config, logger, embedder.embedder.id);
  const { retriever } = await openSearchService(config, { stores, embedder, reranker, logger });
  const scoreFused = retriever.withSettings({ fusion: 'score' });

  const runs: Array<{ name: string; retriever: HybridRetriever; opts: Omit<RetrieveOptions, 'k'> }> = [
    { name: 'keyword (BM25)', retriever, opts: { mode: 'keyword', rerank: false } },
    { name: `vector (${embedder.embedder.id})`, retriever, opts: { mode: 'vector', rerank: false } },
    { name: 'hybrid (RRF)', retriever, opts: { mode: 'hybrid', rerank: false } },
    { name: 'hybrid (score fusion)', retriever: scoreFused, opts: { mode: 'hybrid', rerank: false } },
    ...(reranker ? [{ name: `hybrid (RRF) + rerank (${reranker.id})`, retriever, opts: { mode: 'hybrid' as const, rerank: true } }] : []),
  ];
  const rows = [];
  for (const run of runs) {
    for (const q of questions.slice(0, 3)) await run.retriever.retrieve(q.question, { k: 10, ...run.opts }); // warm-up
    // Rankings are deterministic, so quality comes from the first round; latency is the median over rounds.
    const ranks: Array<{ q: Question; rank: number | null }> = [];
    const rounds: number[][] = [];
    for (let round = 0; round < latencyRounds; round++) {
      const times: number[] = [];
      for (const q of questions) {
        const t0 = performance.now();
        const hits = await run.retriever.retrieve(q.question, { k: 10, ...run.opts });
        times.push(performance.now() - t0);
        if (round === 0) ranks.push({ q, rank: firstRelevantRank(hits, q.relevant) });
      }
      rounds.push(times);
    }
    rows.push({ name: run.name, all: metrics(ranks), user: metrics(ranks.filter((r) => r.q.style === 'user')), record: metrics(ranks.filter((r) => r.q.style === 'record')), p50ms: percentileAcrossRuns(rounds, 50), misses: ranks.filter((r) => r.rank === null || r.rank > 5).map((r) => r.q.id) });
  }
  // The not-found gate is a quality figure apart from retrieval; `npm run bench -- --quick` leaves it out for time.
  const gate = quickMode() ? null : await refusalGate(retriever, questions.map((q) => q.question));
  if (args.json) console.log(JSON.stringify({ questions: questions.length, embedder: embedder.embedder.id, index: summary, rows, gate }, null, 2));
  else {
    printTable(rows, questions, embedder.embedder.id, summary.chunks);
    if (gate) {
      console.log(`\nNot-found gate (minVectorScore ${config.answer.minVectorScore}, minCoverage ${config.answer.minCoverage}, top ${config.answer.k}):`);
      console.log(`  catalog questions wrongly refused: ${gate.falseRefusals}/${questions.length}`);
      console.log(`  off-topic questions answered anyway: ${gate.offTopicAnswered}/${gate.offTopic} (${gate.offTopicAnsweredIds.join('; ') || 'none'})`);
    }
  }
} finally {
  await stores.close();
}

/** How the answer pipeline's "found nothing relevant" gate does on catalog questions and on off-topic ones. */
async function refusalGate(retriever: HybridRetriever, onTopic: string[]) {
  const offTopic = JSON.parse(readFileSync(path.join(repo, 'test/eval/off-topic-questions.json'), 'utf8')) as string[];
  const passes = async (q: string) => relevantPassages(q, await retriever.retrieve(q, { k: config.answer.k }), config.answer).length > 0;
  let falseRefusals = 0;
  for (const q of onTopic) if (!(await passes(q))) falseRefusals++;
  const offTopicAnsweredIds: string[] = [];
  for (const q of offTopic) if (await passes(q)) offTopicAnsweredIds.push(q);
  return { falseRefusals, offTopic: offTopic.length, offTopicAnswered: offTopicAnsweredIds.length, offTopicAnsweredIds };
}

function firstRelevantRank(hits: RetrievedHit[], relevant: string[]): number | null {
  const rel = new Set(relevant);
  const i = hits.findIndex((h) => rel.has(h.sourceId) || h.alsoIn.some((s) => rel.has(s)));
  return i < 0 ? null : i + 1;
}

function metrics(ranks: Array<{ rank: number | null }>) {
  const n = ranks.length || 1;
  const at = (k: number) => ranks.filter((r) => r.rank !== null && r.rank <= k).length / n;
  const mrr = ranks.reduce((s, r) => s + (r.rank !== null && r.rank <= 10 ? 1 / r.rank : 0), 0) / n;
  return { r1: at(1), r5: at(5), mrr10: mrr, n: ranks.length };
}

function printTable(rows: Array<{ name: string; all: ReturnType<typeof metrics>; user: ReturnType<typeof metrics>; record: ReturnType<typeof metrics>; p50ms: Spread; misses: string[] }>, qs: Question[], embedderId: string, chunks: number) {
  const users = qs.filter((q) => q.style === 'user').length;
  console.log(`Retrieval eval: ${qs.length} questions (${users} in users' own words, ${qs.length - users} in the records' words), ${chunks} chunks, embedder ${embedderId}.`);
  console.log(`Quality is deterministic (one ranking per question); latency is the median of ${latencyRounds} round(s) with the spread. Baseline: keyword-only (BM25), measured in the same run.\n`);
  const f = (x: number) => x.toFixed(3);
  const delta = (x: number, base: number) => `${x - base >= 0 ? '+' : '−'}${Math.abs(x - base).toFixed(3)}`;
  const base = rows[0]!;
  console.log('| retriever | recall@1 | recall@5 | MRR@10 | MRR@10 vs keyword | user R@5 | record R@5 | p50 latency | latency × keyword |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${f(r.all.r1)} | ${f(r.all.r5)} | ${f(r.all.mrr10)} | ${r === base ? 'baseline' : delta(r.all.mrr10, base.all.mrr10)} | ${f(r.user.r5)} | ${f(r.record.r5)} | ${show(r.p50ms, 'ms')} | ${r === base ? 'baseline' : ratio(r.p50ms.median, base.p50ms.median)} |`);
  }
  console.log('\nMissed in the top 5:');
  for (const r of rows) console.log(`  ${r.name}: ${r.misses.join(' ') || 'none'}`);
}
