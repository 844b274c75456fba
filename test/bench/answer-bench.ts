/**
 * The answer half of `npm run bench` (issue 3's performance goals, issue 9's reporting rules), over
 * ../shared/catalogs/usfs:
 *  1. a fake HF server streams a short answer at a fixed rate through the real HF client, fallback chain and
 *     pipeline: how long after the LLM's first token the consumer gets its first text-delta, and the pipeline's
 *     own overhead (total minus the model's streaming time), p50/p95;
 *  2. the extractive (no-LLM) answer: total time p50/p95.
 * Each round asks the same question sample once; every figure is the median over the rounds of that round's
 * percentile, with the min–max across rounds. Beside each speed sits a baseline measured in the same round,
 * question by question, on the same Chroma server: a bare vector query with a precomputed embedding (the least
 * any answer pays for retrieval); for the first-delta figure, the fake's token gap.
 * Timestamps are performance.now() in this one process (the fake runs here), so they are comparable.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logging/logger.js';
import { openRuntime, type OpenedRuntime } from '../../src/runtime/docent-runtime.js';
import { script } from '../fakes/chat-script.js';
import { startFakeHfServer } from '../fakes/fake-hf-server.js';
import { repoRoot } from './repo-root.js';
import { linkSharedModels } from './shared-models.js';
import { median, percentileAcrossRuns, quickMode, repetitions, show, spread, times, type Spread } from './stats.js';

const wall0 = performance.now();
const repo = repoRoot(import.meta.dirname);
const usfs = path.resolve(repo, '../shared/catalogs/usfs');
const allQuestions = (JSON.parse(readFileSync(path.join(repo, 'test/eval/usfs-questions.json'), 'utf8')) as Array<{ question: string }>).map((q) => q.question);
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-answer-bench-'));
const dataDir = path.join(work, 'data');
// The word-vector table comes from the tests' shared cache: this part times answers, not the one-time conversion.
linkSharedModels(dataDir);

const quick = quickMode();
const ROUNDS = repetitions(5, 3);
// Sized for the wall-time budget (quick ≤ 20 s, full ≤ 45 s, of which ~6–9 s is indexing); a question costs
// ~0.25 s (the model's time, both answers and both baselines).
const QUESTIONS = quick ? 12 : 24;
const WARM_UP = 3;
// A short stream: the model's own time is subtracted from every figure, so its length only costs wall time.
// The gap is what matters (it is the first-delta figure's baseline); the count only needs several deltas.
const TOKENS = Array.from({ length: 8 }, (_, i) => `word${i} `);
const FIRST_TOKEN_DELAY = 20;
const TOKEN_GAP = 10;
const MODEL_MS = FIRST_TOKEN_DELAY + (TOKENS.length - 1) * TOKEN_GAP;

// Every n-th question, so both the users'-words and the records'-words questions are in the sample.
const sample = Array.from({ length: Math.min(QUESTIONS, allQuestions.length) }, (_, i) => allQuestions[Math.floor((i * allQuestions.length) / QUESTIONS)]!);

const logger = createLogger({ level: 'warn', pretty: 'never' });
const hf = await startFakeHfServer();
// Every request gets the same script (the default), so a question the not-found gate refuses, which never
// reaches the model, leaves no script queued behind it.
hf.chat.defaultScript = script({ tokens: TOKENS, firstTokenDelayMs: FIRST_TOKEN_DELAY, delayMs: TOKEN_GAP });

const base = { EMBEDDER: 'word-vectors', ANSWER_CACHE_TTL_SECONDS: '0', LOG_LEVEL: 'warn' };
const open = (env: Record<string, string>) => openRuntime(loadConfig({ env: { ...base, ...env }, overrides: { dataDir, sources: [usfs] } }), logger, { indexIfEmpty: true });
// Progress on stderr: bench-all keeps only stdout, and shows stderr when a part fails.
const phase = (what: string) => process.stderr.write(`answer-bench: ${what} at ${((performance.now() - wall0) / 1000).toFixed(1)} s\n`);

/** One round's samples of each figure, in ms. */
type Key = 'firstDelta' | 'overhead' | 'retrieval' | 'rest' | 'extractive' | 'floor' | 'retrieve';
type Round = Record<Key, number[]>;

/** One LLM answer through the pipeline, timed against the fake's own clock; null when it never reached the model. */
async function llmAnswer(rt: OpenedRuntime, q: string) {
  const requestIndex = hf.chat.requests.length;
  const t0 = performance.now();
  let firstDelta: number | null = null;
  let retrievalMs = 0;
  let backend = '';
  for await (const part of rt.pipeline.answer({ text: q, history: [] })) {
    if (part.type === 'text-delta') firstDelta ??= performance.now();
    if (part.type === 'finish') ({ info: { backend, timings: { retrievalMs } } } = part);
    if (part.type === 'error') throw part.error;
  }
  const finished = performance.now();
  const req = hf.chat.requests[requestIndex];
  if (!req) return null; // refused by the not-found gate
  const tokens = hf.chat.tokenTimes.filter((t) => t.request === requestIndex);
  // A fallback to the extractive answer would measure the wrong thing; stop rather than report it.
  if (!tokens.length || firstDelta === null || backend === 'extractive') throw new Error(`"${q}" did not stream from the fake model (backend ${backend})`);
  const overhead = finished - t0 - (tokens.at(-1)!.at - req.at);
  return { firstDelta: firstDelta - tokens[0]!.at, overhead, retrieval: retrievalMs, rest: overhead - retrievalMs };
}

async function extractiveAnswer(rt: OpenedRuntime, q: string): Promise<number> {
  const t0 = performance.now();
  for await (const part of rt.pipeline.answer({ text: q, history: [] })) if (part.type === 'error') throw part.error;
  return performance.now() - t0;
}

try {
  phase('opening the LLM runtime (indexes the USFS catalogs)');
  const llm = await open({ HF_TOKEN: 'hf_bench', HF_ENDPOINT_URL: hf.url, LLM_CHAIN: 'hf,extractive', HF_CHAT_MODEL: 'bench/model' });
  const rounds: Round[] = [];
  let refused = 0;
  let chunks = 0;
  let k = 0;
  try {
    // The extractive runtime shares the LLM runtime's Chroma server (as a replica would, through CHROMA_URL), so
    // both answers and the baselines run in the same rounds against one server, and only one server starts.
    const extractive = await open({ LLM_CHAIN: 'extractive', CHROMA_URL: llm.stores.chromaUrl });
    try {
      const { manifest } = llm.search;
      const store = await llm.stores.stores.open(manifest.collection, { embedderId: manifest.embedder.id, dimension: manifest.embedder.dimension });
      chunks = await store.count();
      k = Math.max(llm.config.retrieval.candidates, llm.config.answer.k); // what the hybrid retriever asks Chroma for
      // Precomputed, so the floor is Chroma's HTTP round trip and HNSW search and nothing of Docent's.
      const vectors = new Map<string, number[]>();
      for (const q of sample) vectors.set(q, await llm.embedder.embedder.embedQuery(q));
      const timed = async (fn: () => Promise<unknown>) => {
        const t0 = performance.now();
        await fn();
        return performance.now() - t0;
      };

      phase('warm-up');
      for (const q of sample.slice(0, WARM_UP)) {
        await llmAnswer(llm, q);
        await extractiveAnswer(extractive, q);
      }
      phase(`${ROUNDS} rounds of ${sample.length} questions`);
      for (let r = 0; r < ROUNDS; r++) {
        const round: Round = { firstDelta: [], overhead: [], retrieval: [], rest: [], extractive: [], floor: [], retrieve: [] };
        refused = 0;
        // Question by question, so a burst of load on the machine lands on the figures and their baseline alike.
        for (const q of sample) {
          round.floor.push(await timed(() => store.query(vectors.get(q)!, k)));
          round.retrieve.push(await timed(() => llm.search.retriever.retrieve(q, { k: llm.config.answer.k })));
          const a = await llmAnswer(llm, q);
          if (a) for (const key of ['firstDelta', 'overhead', 'retrieval', 'rest'] as const) round[key].push(a[key]);
          else refused++;
          round.extractive.push(await extractiveAnswer(extractive, q));
        }
        rounds.push(round);
      }
      phase('done');
    } finally {
      await extractive.close();
    }
  } finally {
    await llm.close();
  }

  const across = (key: Key, p: number): Spread => percentileAcrossRuns(rounds.map((r) => r[key]), p);
  const ms = (s: Spread) => show(s, 'ms', 1);
  const floor = across('floor', 50);
  const row = (label: string, key: Key, baseline: string, baselineMs: number) => {
    const p50 = across(key, 50);
    // Two digits below 1×, where one would round 0.06× up to 0.1×.
    return `| ${label} | ${ms(p50)} | ${ms(across(key, 95))} | ${baseline} | ${times(p50.median, baselineMs, p50.median < baselineMs ? 2 : 1)} |`;
  };
  const answered = rounds[0]!.overhead.length;
  // stats.percentile's rank, put in words, so a reader knows how many samples a p95 of few rests on.
  const slowest = (n: number) => ['slowest', 'second slowest', 'third slowest'][n - Math.ceil(0.95 * n)] ?? `${n - Math.ceil(0.95 * n) + 1}th slowest`;
  const overRetrieve = spread(rounds.map((r) => median(r.overhead) / median(r.retrieve)));

  console.log(
    `\nAnswer pipeline over the USFS catalogs (${chunks} chunks, word-vector embedder), ${ROUNDS} rounds${quick ? ' (quick mode)' : ''}. ` +
      `Each round asks ${sample.length} questions of a fake LLM through the real HF client (first token after ${FIRST_TOKEN_DELAY} ms, ` +
      `then ${TOKENS.length - 1} more every ${TOKEN_GAP} ms: ~${MODEL_MS} ms of model time, subtracted) — ${answered} reach the model, ` +
      `${refused} ${refused === 1 ? 'is' : 'are'} refused by the not-found gate — and the same ${sample.length} of the extractive (no-LLM) answer. ` +
      'Each figure is the median over the rounds of that round\'s percentile (min–max over the rounds); the baselines were measured ' +
      'in the same rounds, question by question, against the same Chroma server.\n',
  );
  console.log('| measure | p50 | p95 | baseline (same run), p50 | p50 ÷ baseline |');
  console.log('|---|---|---|---|---|');
  console.log(row(`LLM's first token → consumer's first text-delta`, 'firstDelta', `fake's token gap: ${TOKEN_GAP} ms`, TOKEN_GAP));
  console.log(row('pipeline overhead: total − model streaming time', 'overhead', `bare vector query: ${ms(floor)}`, floor.median));
  console.log(row('… of which retrieval (the pipeline\'s own timing)', 'retrieval', 'bare vector query', floor.median));
  console.log(row('… of which the rest (prompt, fallback chain, HF client, streaming)', 'rest', 'bare vector query', floor.median));
  console.log(row('extractive answer, whole', 'extractive', 'bare vector query', floor.median));
  console.log(row('hybrid retrieval alone (`retriever.retrieve`, same questions)', 'retrieve', 'bare vector query', floor.median));
  console.log(
    `\nBare vector query: \`store.query\` with a precomputed embedding, k = ${k} (what the hybrid retriever asks Chroma for), ` +
      `p50 ${ms(floor)}, p95 ${ms(across('floor', 95))}; embedding the question, BM25, fusion, reranking and all that follows ` +
      `retrieval come on top of it. Pipeline overhead ÷ hybrid retrieval, per round: ${overRetrieve.median.toFixed(2)}× ` +
      `(${overRetrieve.min.toFixed(2)}–${overRetrieve.max.toFixed(2)}).` +
      ` With ${answered} answers a round, a round's p95 is its ${slowest(answered)}.`,
  );
} finally {
  await hf.close();
  rmSync(work, { recursive: true, force: true });
}
