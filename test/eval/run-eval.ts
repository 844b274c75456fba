/**
 * `npm run eval`: retrieval quality on every labelled corpus (test/eval/corpora.ts): the USFS catalogs, the
 * PostgreSQL manual, the shared PDFs (page-level gold) and the Python manual. Each corpus is indexed into its
 * own data dir (.docent-eval/<corpus>/<embedder>, reused: a rerun with nothing changed builds nothing), then
 * every question is asked of each Docent retriever — keyword, vector, hybrid, hybrid + rerank — and, in the
 * same run, of a reference BM25 over whole documents (reference-bm25.ts) that shares no code with Docent.
 * Prints R@1/5/10 and MRR@10 per corpus beside the reference, held-out questions apart, and the worst corpus.
 *
 * Options: --corpus usfs,pgdocs,pdfs,python-docs (default all), --embedder NAME (default auto), --reranker NAME
 * (default word-vectors), --data-dir ROOT (default .docent-eval), --json, --answers (the answer-level eval instead:
 * answer-eval.ts). A corpus whose data or question file
 * is missing is skipped with one line; without ../shared at all the eval stops.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/load-config.js';
import type { DocentConfig } from '../../config/schema.js';
import { relevantPassages } from '../../src/core/answer/relevance.js';
import { runIndex } from '../../src/indexing/indexer.js';
import { readManifest } from '../../src/indexing/index-files.js';
import { createLogger } from '../../src/logging/logger.js';
import { resolveEmbedder } from '../../src/runtime/embedder-factory.js';
import { createReranker } from '../../src/runtime/reranker-factory.js';
import { openSearchService } from '../../src/runtime/search-service.js';
import { openVectorStores } from '../../src/runtime/vector-stores.js';
import { openRuntime } from '../../src/runtime/docent-runtime.js';
import { formatCards } from '../../src/adapters/console/card-text.js';
import { evaluateAnswers, printAnswerTable, readAnswerLabels, type AnswerEvalResult } from './answer-eval.js';
import { repoRoot } from '../bench/repo-root.js';
import { linkSharedModels } from '../bench/shared-models.js';
import { percentileAcrossRuns, quickMode, repetitions } from '../bench/stats.js';
import { corpora, loadDocuments, referenceText, type Corpus, type EvalQuestion } from './corpora.js';
import { firstRelevantRank, metrics, type Ranked } from './metrics.js';
import { ReferenceBM25 } from './reference-bm25.js';
import { printCorpus, printSummary, summarise, type CorpusResult, type RunResult } from './report.js';
import { loaderLimits } from '../../src/indexing/loader-limits.js';

const repo = repoRoot(import.meta.dirname);
const shared = path.resolve(repo, '../shared');
const { values: args } = parseArgs({
  options: {
    embedder: { type: 'string' }, reranker: { type: 'string' }, 'data-dir': { type: 'string' },
    corpus: { type: 'string' }, json: { type: 'boolean' }, answers: { type: 'boolean' },
  },
});

if (!existsSync(shared)) {
  console.error(`eval needs the shared USFS catalogs at ${path.join(shared, 'catalogs/usfs')}; they are not there.`);
  process.exit(1);
}
const all = corpora(repo, shared, path.join(repo, '.docent-eval', 'corpora'));
const aliases: Record<string, string> = { python: 'python-docs', pdf: 'pdfs', pg: 'pgdocs' };
const wanted = args.corpus?.split(',').map((s) => s.trim()).filter(Boolean).map((s) => aliases[s] ?? s);
const unknown = wanted?.filter((w) => !all.some((c) => c.name === w)) ?? [];
if (unknown.length) {
  console.error(`unknown corpus ${unknown.join(', ')}; the corpora are ${all.map((c) => c.name).join(', ')}.`);
  process.exit(2);
}
const selected = wanted ? all.filter((c) => wanted.includes(c.name)) : all;
// Latency rounds (`npm run bench` full mode: 3; quick: 1). Quality needs one round: rankings are deterministic.
const latencyRounds = repetitions(3, 1);
const env = { ...process.env, ...(args.embedder ? { EMBEDDER: args.embedder } : {}), ...(args.reranker ? { RERANKER: args.reranker } : {}) };
const dataRoot = path.resolve(args['data-dir'] ?? path.join(repo, '.docent-eval'));
const embedderTag = (args.embedder ?? 'auto').replace(/[^a-z0-9-]/gi, '_');
const logger = createLogger({ level: 'warn', pretty: 'never' });
const say = (line: string) => (args.json ? console.error(line) : console.log(line));

const results: CorpusResult[] = [];
const answerResults: AnswerEvalResult[] = [];
const skipped: Array<{ corpus: string; reason: string }> = [];
for (const corpus of selected) {
  // Questions first: no point fetching or indexing a corpus nobody has labelled yet.
  const questions = corpus.questions();
  const where = Array.isArray(questions) ? await corpus.resolve() : questions;
  if (!Array.isArray(questions) || 'skip' in where) {
    const reason = 'skip' in where ? where.skip : '';
    skipped.push({ corpus: corpus.name, reason });
    say(`Skipped ${corpus.name}: ${reason}.\n`);
    continue;
  }
  try {
    if (args.answers) {
      const labels = readAnswerLabels(repo, corpus.name);
      if ('skip' in labels) {
        skipped.push({ corpus: corpus.name, reason: labels.skip });
        say(`Skipped ${corpus.name}: ${labels.skip}.\n`);
      } else {
        answerResults.push(await answerCorpus(corpus, questions, where.source, labels));
        say(`answered ${corpus.name}`);
      }
      continue;
    }
    const result = await evaluateCorpus(corpus, questions, where.source);
    results.push(result);
    if (!args.json) printCorpus(result, latencyRounds);
  } catch (err) {
    process.exitCode = 1;
    skipped.push({ corpus: corpus.name, reason: `failed: ${err instanceof Error ? err.message : String(err)}` });
    say(`Failed ${corpus.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
}
if (args.answers) {
  if (args.json) console.log(JSON.stringify({ answers: answerResults, skipped }, null, 2));
  else printAnswerTable(answerResults);
  process.exit();
}
const summary = summarise(results);
if (args.json) console.log(JSON.stringify({ quick: quickMode(), latencyRounds, corpora: results, skipped, summary }, null, 2));
else if (results.length) printSummary(results, summary);

async function evaluateCorpus(corpus: Corpus, questions: EvalQuestion[], source: string): Promise<CorpusResult> {
  const dataDir = path.join(dataRoot, corpus.name, embedderTag);
  // A new eval data dir takes the word-vector table from the cache the tests and benchmarks share (converting it
  // from the npm package costs seconds once per machine, not once per data dir).
  if (!existsSync(dataDir)) linkSharedModels(dataDir);
  const config = loadConfig({ env, overrides: { dataDir, sources: [source] } });
  const limits = loaderLimits(config.loader);
  const stores = await openVectorStores(config, logger);
  try {
    const embedder = await resolveEmbedder(config, readManifest(dataDir), logger);
    const index = await runIndex({
      dataDir, sources: config.sources, chunking: config.chunking, loader: limits,
      embedder: embedder.embedder, batchSize: config.embedder.batchSize, stores: stores.stores, logger,
    });
    const reranker = await createReranker(config, logger, embedder.embedder.id);
    const { retriever } = await openSearchService(config, { stores, embedder, reranker, logger });
    const docent = (mode: 'keyword' | 'vector' | 'hybrid', rerank: boolean, r = retriever) => async (q: string) =>
      (await r.retrieve(q, { k: 10, mode, rerank })).map((hit) => corpus.hitKeys(hit));
    const equal = retriever.withSettings({ vectorWeight: 1, fusion: 'rrf' });
    const runs = [
      { name: 'keyword (BM25, whole documents)', ask: docent('keyword', false) },
      { name: `vector (${embedder.embedder.id})`, ask: docent('vector', false) },
      { name: 'hybrid, equal-weight RRF', ask: docent('hybrid', false, equal) },
      // The zero-config default: the retriever as configured (fusion weight and reranker by embedder, see the README).
      { name: `default: ${describeDefault(retriever, reranker?.id)}`, ask: docent('hybrid', true) },
    ];
    const defaultName = runs[runs.length - 1]!.name;

    // The reference ranks the documents the loaders produce, whole (one per page/file/record), before chunking.
    const docs = await loadDocuments(source, limits);
    const bm25 = new ReferenceBM25(docs.map((d) => ({ key: corpus.docKey(d), text: referenceText(d) })));
    const reference = { name: 'reference BM25 (whole documents)', ask: async (q: string) => bm25.search(q, 10).map((h) => [h.key]) };

    const rows: RunResult[] = [];
    for (const run of [...runs, reference]) rows.push({ ...(await measure(run.ask, questions)), name: run.name, isDefault: run.name === defaultName, isReference: run === reference });
    const docKeys = new Set(docs.map((d) => corpus.docKey(d)));
    const unknownGold = questions.flatMap((q) => [...q.relevant].filter((k) => !docKeys.has(k)).map((k) => `${q.id}:${k}`));
    // The not-found gate is a quality figure apart from retrieval, calibrated on USFS; quick mode leaves it out for time.
    const gate = corpus.name === 'usfs' && !quickMode() ? await refusalGate(config, (q, k) => retriever.retrieve(q, { k }), questions) : null;
    (retriever as { close?: () => void }).close?.();
    return {
      corpus: corpus.name, source: path.relative(repo, source) || source, embedder: embedder.embedder.id, reranker: reranker?.id ?? null,
      questions: questions.length, heldOut: questions.filter((q) => q.heldOut).map((q) => q.id),
      styles: questions.some((q) => q.style), documents: docs.length, chunks: index.chunks, indexedDocuments: index.documents,
      unknownGold, rows, gate,
    };
  } finally {
    await stores.close();
  }
}

/** Indexes the corpus (reused when unchanged), then answers through the runtime `docent ask` opens. */
async function answerCorpus(corpus: Corpus, questions: EvalQuestion[], source: string, labels: Parameters<typeof evaluateAnswers>[4]): Promise<AnswerEvalResult> {
  const dataDir = path.join(dataRoot, corpus.name, embedderTag);
  if (!existsSync(dataDir)) linkSharedModels(dataDir);
  const config = loadConfig({ env, overrides: { dataDir, sources: [source] } });
  const stores = await openVectorStores(config, logger);
  try {
    const embedder = await resolveEmbedder(config, readManifest(dataDir), logger);
    await runIndex({
      dataDir, sources: config.sources, chunking: config.chunking,
      loader: loaderLimits(config.loader),
      embedder: embedder.embedder, batchSize: config.embedder.batchSize, stores: stores.stores, logger,
    });
  } finally {
    await stores.close();
  }
  const runtime = await openRuntime(config, logger);
  try {
    let backend = 'none';
    const ask = async (text: string) => {
      for await (const part of runtime.pipeline.answer({ text, history: [] })) {
        if (part.type === 'error') throw part.error;
        if (part.type === 'finish') {
          if (!part.info.notFound) backend = part.info.backend;
          // What a user sees: the answer and, for catalog questions, its dataset cards (terminal rendering).
          const cards = part.info.cards?.length ? `\n\n${formatCards(part.info.cards)}` : '';
          return { text: part.info.text + cards, notFound: part.info.notFound };
        }
      }
      throw new Error(`no finish part for "${text}"`);
    };
    const result = await evaluateAnswers(corpus.name, 'pending', ask, questions, labels);
    return { ...result, backend: `${backend} (${runtime.embedder.embedder.id})` };
  } finally {
    await runtime.close();
  }
}

function describeDefault(r: { settings: { vectorWeight: number; fusion: string } }, rerankerId: string | undefined): string {
  const fused = r.settings.vectorWeight === 0 ? 'BM25 alone (vector list weight 0)' : `${r.settings.fusion} (vector weight ${r.settings.vectorWeight})`;
  return `hybrid = ${fused}${rerankerId ? ` + rerank (${rerankerId})` : ''}`;
}

/** Asks every question (one round for quality, `latencyRounds` for latency) and reduces each answer to a rank. */
async function measure(ask: (q: string) => Promise<string[][]>, questions: EvalQuestion[]) {
  for (const q of questions.slice(0, 3)) await ask(q.question); // warm-up: first-query costs are not latency
  const ranks: Array<Ranked<EvalQuestion>> = [];
  const rounds: number[][] = [];
  for (let round = 0; round < latencyRounds; round++) {
    const times: number[] = [];
    for (const q of questions) {
      const t0 = performance.now();
      const keys = await ask(q.question);
      times.push(performance.now() - t0);
      if (round === 0) ranks.push({ q, rank: firstRelevantRank(keys, q.relevant) });
    }
    rounds.push(times);
  }
  const part = (keep: (q: EvalQuestion) => boolean) => metrics(ranks.filter((r) => keep(r.q)));
  return {
    all: part(() => true),
    tuning: part((q) => !q.heldOut),
    heldOut: part((q) => q.heldOut),
    user: part((q) => q.style === 'user'),
    record: part((q) => q.style === 'record'),
    p50ms: percentileAcrossRuns(rounds, 50),
    ranks: Object.fromEntries(ranks.map((r) => [r.q.id, r.rank])),
  };
}

/** How the answer pipeline's "found nothing relevant" gate does on catalog questions and on off-topic ones. */
async function refusalGate(config: DocentConfig, retrieve: (q: string, k: number) => Promise<Parameters<typeof relevantPassages>[1]>, onTopic: EvalQuestion[]) {
  const offTopic = JSON.parse(readFileSync(path.join(repo, 'test/eval/off-topic-questions.json'), 'utf8')) as string[];
  const passes = async (q: string) => relevantPassages(q, await retrieve(q, config.answer.k), config.answer).length > 0;
  let falseRefusals = 0;
  for (const q of onTopic) if (!(await passes(q.question))) falseRefusals++;
  const offTopicAnsweredIds: string[] = [];
  for (const q of offTopic) if (await passes(q)) offTopicAnsweredIds.push(q);
  return {
    onTopic: onTopic.length, falseRefusals, offTopic: offTopic.length, offTopicAnswered: offTopicAnsweredIds.length, offTopicAnsweredIds,
    thresholds: { minVectorScore: config.answer.minVectorScore, minCoverage: config.answer.minCoverage, k: config.answer.k },
  };
}
