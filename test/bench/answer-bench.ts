/**
 * The answer half of `npm run bench` (issue 3's performance goals), over ../shared/catalogs/usfs:
 *  1. a fake HF server streams 30 tokens (first after 100 ms, then one every 10 ms) through the real HF client,
 *     fallback chain and pipeline: how long after the LLM's first token the consumer gets its first
 *     text-delta, and the pipeline's own overhead (total minus the model's streaming time), p50/p95;
 *  2. the extractive (no-LLM) answer for every eval question: total time p50/p95.
 * Timestamps are performance.now() in this one process (the fake runs here), so they are comparable.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import type { AnswerPart } from '../../src/core/answer/types.js';
import { createLogger } from '../../src/logging/logger.js';
import { openRuntime } from '../../src/runtime/docent-runtime.js';
import { script } from '../fakes/chat-script.js';
import { startFakeHfServer } from '../fakes/fake-hf-server.js';
import { repoRoot } from './repo-root.js';
import { median, percentile } from './stats.js';

const repo = repoRoot(import.meta.dirname);
const usfs = path.resolve(repo, '../shared/catalogs/usfs');
const questions = (JSON.parse(readFileSync(path.join(repo, 'test/eval/usfs-questions.json'), 'utf8')) as Array<{ question: string }>).map((q) => q.question);
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-answer-bench-'));
const logger = createLogger({ level: 'warn', pretty: 'never' });
const hf = await startFakeHfServer();
const TOKENS = Array.from({ length: 30 }, (_, i) => `word${i} `);
const FIRST_TOKEN_DELAY = 100;
const TOKEN_GAP = 10;

const base = { EMBEDDER: 'word-vectors', ANSWER_CACHE_TTL_SECONDS: '0', LOG_LEVEL: 'warn' };
const overrides = { dataDir: path.join(work, 'data'), sources: [usfs] };
const open = (env: Record<string, string>) => openRuntime(loadConfig({ env: { ...base, ...env }, overrides }), logger, { indexIfEmpty: true });

try {
  const llm = await open({ HF_TOKEN: 'hf_bench', HF_ENDPOINT_URL: hf.url, LLM_CHAIN: 'hf,extractive', HF_CHAT_MODEL: 'bench/model' });
  const firstDeltaAfterFirstToken: number[] = [];
  const overhead: number[] = [];
  const retrieval: number[] = [];
  try {
    const sample = questions.slice(0, process.env.DOCENT_BENCH_QUICK === '1' ? 15 : 40);
    for (const [i, q] of [...sample.slice(0, 5), ...sample].entries()) {
      hf.chat.enqueue(script({ tokens: TOKENS, firstTokenDelayMs: FIRST_TOKEN_DELAY, delayMs: TOKEN_GAP }));
      const requestIndex = hf.chat.requests.length;
      const t0 = performance.now();
      let firstDelta: number | null = null;
      let finished = 0;
      let retrievalMs = 0;
      for await (const part of llm.pipeline.answer({ text: q, history: [] })) {
        if (part.type === 'text-delta') firstDelta ??= performance.now();
        if (part.type === 'finish') ({ retrievalMs } = part.info.timings);
        if (part.type === 'error') throw part.error;
      }
      finished = performance.now();
      if (i < 5) continue; // warm-up
      const times = hf.chat.tokenTimes.filter((t) => t.request === requestIndex);
      const req = hf.chat.requests[requestIndex];
      if (!times.length || !req || firstDelta === null) continue; // a refused question never reached the model
      const modelTime = times.at(-1)!.at - req.at;
      firstDeltaAfterFirstToken.push(firstDelta - times[0]!.at);
      overhead.push(finished - t0 - modelTime);
      retrieval.push(retrievalMs);
    }
  } finally {
    await llm.close();
  }

  const extractive = await open({ LLM_CHAIN: 'extractive' });
  const extractiveTimes: number[] = [];
  try {
    for (const [i, q] of [...questions.slice(0, 5), ...questions].entries()) {
      const t0 = performance.now();
      const parts: AnswerPart[] = [];
      for await (const part of extractive.pipeline.answer({ text: q, history: [] })) parts.push(part);
      if (i >= 5) extractiveTimes.push(performance.now() - t0);
    }
  } finally {
    await extractive.close();
  }

  const f = (n: number) => n.toFixed(1);
  console.log(`\nAnswer benchmark — fake LLM: first token after ${FIRST_TOKEN_DELAY} ms, then ${TOKENS.length - 1} more every ${TOKEN_GAP} ms; USFS catalogs; word-vector embedder\n`);
  console.log('| measure | p50 | p95 |');
  console.log('|---|---|---|');
  console.log(`| LLM's first token → consumer's first text-delta (${firstDeltaAfterFirstToken.length} answers) | ${f(median(firstDeltaAfterFirstToken))} ms | ${f(percentile(firstDeltaAfterFirstToken, 95))} ms |`);
  console.log(`| pipeline overhead: total − model streaming time | ${f(median(overhead))} ms | ${f(percentile(overhead, 95))} ms |`);
  console.log(`| of which retrieval (incl. follow-up rewrite) | ${f(median(retrieval))} ms | ${f(percentile(retrieval, 95))} ms |`);
  console.log(`| extractive answer, whole (${extractiveTimes.length} questions) | ${f(median(extractiveTimes))} ms | ${f(percentile(extractiveTimes, 95))} ms |`);
} finally {
  await hf.close();
  rmSync(work, { recursive: true, force: true });
}
