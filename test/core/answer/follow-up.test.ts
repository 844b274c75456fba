/**
 * The follow-up rewrite honours the answer chain's circuit breaker (a known-dead LLM costs nothing), the
 * question's abort signal (even against an LLM that ignores it), and reports why it fell back to the rule.
 */
import { describe, expect, it } from 'vitest';
import { createAnswerPipeline, type AnswerSettings } from '../../../src/core/answer/answer-pipeline.js';
import { createFallbackChain } from '../../../src/core/answer/fallback-chain.js';
import { standaloneQuery } from '../../../src/core/answer/follow-up.js';
import type { RetrievedPassage } from '../../../src/core/answer/ports.js';
import type { AnswerPart, Turn } from '../../../src/core/answer/types.js';
import { ProviderError } from '../../../src/core/errors.js';
import { createExtractiveGenerator } from '../../../src/providers/generators/extractive-generator.js';
import type { Generator } from '../../../src/core/ports/generator.js';

const history: Turn[] = [
  { role: 'user', text: 'timber harvest maps for Oregon' },
  { role: 'assistant', text: 'See [1].' },
];

/** An LLM that never answers and ignores its abort signal: every call would cost the whole timeout. */
function hungLlm(): Generator & { calls: number } {
  const g = {
    id: 'hf:hung',
    calls: 0,
    async *stream() {
      g.calls++;
      await new Promise(() => undefined);
    },
  };
  return g as Generator & { calls: number };
}

/** An LLM that fails at once (HTTP 500) and counts its calls. */
function deadLlm(): Generator & { calls: number } {
  const g = {
    id: 'hf:dead',
    calls: 0,
    async *stream() {
      g.calls++;
      throw new ProviderError('hf:dead', 'HTTP 500');
    },
  };
  return g as Generator & { calls: number };
}

const settings: AnswerSettings = {
  k: 4, catalogName: 'the test catalog', historyTurns: 6, maxPassageChars: 1000, maxTokens: 200, temperature: 0,
  rewriteTimeoutMs: 60_000, minVectorScore: 0.5, minCoverage: 0.6, minWeightedCoverage: 0.5,
};
const hits: RetrievedPassage[] = [
  { id: 'th', sourceId: 'th.xml', title: 'S_USA.Actv_TimberHarvest', url: null, path: null, page: null, kind: 'fgdc',
    text: 'Timber harvest maps for Oregon, 2011 edition. Acres of timber harvest reported in FACTS.', signals: { vector: 0.9, keyword: 9 } },
];

async function drain(parts: AsyncIterable<AnswerPart>): Promise<AnswerPart[]> {
  const out: AnswerPart[] = [];
  for await (const p of parts) out.push(p);
  return out;
}

describe('follow-up rewrite', () => {
  it('skips the LLM while the chain has its breaker open: the rule rewrites at once, and no call is made', async () => {
    const llm = deadLlm();
    const warnings: Array<{ obj: object; msg?: string | undefined }> = [];
    const chain = createFallbackChain({
      backends: [llm, createExtractiveGenerator()].map((generator) => ({ generator, firstTokenTimeoutMs: 2000, totalTimeoutMs: 5000, retries: 0 })),
      breaker: { failureThreshold: 1, cooldownMs: 600_000 },
      backoff: { baseMs: 1, maxMs: 2 },
    });
    const searched: string[] = [];
    const pipeline = createAnswerPipeline({
      retriever: { search: async (q) => (searched.push(q), { hits, degraded: [] }) },
      chain, rewriter: llm, indexVersion: () => 1, settings,
      logger: { warn: (obj, msg) => void warnings.push({ obj, msg }) },
    });
    // The first question fails on the LLM and opens its breaker (threshold 1); the extractive answer follows.
    expect((await drain(pipeline.answer({ text: 'timber harvest maps for Oregon', history: [] }))).at(-1)?.type).toBe('finish');
    expect(llm.calls).toBe(1);
    expect(chain.status()[0]!.state).toBe('open');
    // The follow-up: neither the rewrite nor the answer touches the dead LLM.
    const parts = await drain(pipeline.answer({ text: 'and the one from 2011?', history }));
    const finish = parts.at(-1);
    expect(finish?.type).toBe('finish');
    expect(llm.calls).toBe(1);
    expect(finish?.type === 'finish' && finish.info.searchQuery).toBe('timber harvest maps oregon 2011');
    expect(warnings).toEqual([]); // skipping a known-dead LLM is no failure
  });

  it('reports a failed LLM rewrite to the logger and uses the rule', async () => {
    const llm = deadLlm();
    const failures: unknown[] = [];
    const out = await standaloneQuery('and the one from 2011?', history, { llm, timeoutMs: 1000, onFailure: (err, info) => failures.push({ err, ...info }) });
    expect(out).toEqual({ query: 'timber harvest maps oregon 2011', focus: '2011', by: 'rule' });
    expect(failures).toEqual([{ err: expect.objectContaining({ message: 'hf:dead: HTTP 500' }), llm: 'hf:dead', reason: 'failed' }]);
  });

  it('times out an LLM that ignores its signal, reports it, and uses the rule', async () => {
    const llm = hungLlm();
    const failures: Array<{ reason: string }> = [];
    const out = await standaloneQuery('and the one from 2011?', history, { llm, timeoutMs: 50, onFailure: (_err, info) => failures.push(info) });
    expect(out.by).toBe('rule');
    expect(failures).toEqual([{ llm: 'hf:hung', reason: 'timeout' }]);
  });

  it("stops at once when the question's signal aborts, even if the LLM ignores it, and reports no failure", async () => {
    const llm = hungLlm();
    const ac = new AbortController();
    const failures: unknown[] = [];
    const pending = standaloneQuery('and the one from 2011?', history, { llm, timeoutMs: 60_000, signal: ac.signal, onFailure: (e) => failures.push(e) });
    await new Promise((r) => setImmediate(r));
    expect(llm.calls).toBe(1);
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(failures).toEqual([]);
  });

  it('an abandoned question ends the pipeline without parts and without searching', async () => {
    const llm = hungLlm();
    const chain = createFallbackChain({
      backends: [llm, createExtractiveGenerator()].map((generator) => ({ generator, firstTokenTimeoutMs: 2000, totalTimeoutMs: 5000, retries: 0 })),
      breaker: { failureThreshold: 3, cooldownMs: 60_000 },
      backoff: { baseMs: 1, maxMs: 2 },
    });
    const searched: string[] = [];
    const pipeline = createAnswerPipeline({ retriever: { search: async (q) => (searched.push(q), { hits, degraded: [] }) }, chain, rewriter: llm, indexVersion: () => 1, settings });
    const ac = new AbortController();
    const parts = drain(pipeline.answer({ text: 'and the one from 2011?', history }, ac.signal));
    await new Promise((r) => setImmediate(r));
    ac.abort();
    expect(await parts).toEqual([]);
    expect(searched).toEqual([]);
  });
});
