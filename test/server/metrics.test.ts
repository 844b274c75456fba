/**
 * The metrics wrapper without a runtime: every way an answer can end maps to one outcome, the part stream is
 * passed through untouched, fallbacks and reindex runs are counted, and a failing stream still throws.
 */
import { describe, expect, it } from 'vitest';
import type { DocentServices } from '../../commands/services.js';
import type { AnswerPart, FinishInfo } from '../../src/core/answer/types.js';
import { DocentError } from '../../src/core/errors.js';
import type { IndexSummary } from '../../src/indexing/indexer.js';
import { createMetrics, instrumentServices } from '../../src/server/metrics.js';
import { parsePrometheusText, sampleValue } from './prom-text.js';

function finish(over: Partial<FinishInfo>): AnswerPart {
  return {
    type: 'finish',
    info: {
      citations: [], timings: { retrievalMs: 12, firstTokenMs: 300, totalMs: 1500 }, backend: 'hf:x', finishReason: 'stop', fallbacks: [], degraded: [],
      cached: false, notFound: false, searchQuery: 'q', text: 'a', ...over,
    },
  };
}

/** A fake whose answers are scripted per call; a script that is an Error makes the stream throw midway. */
function fakeServices(scripts: Array<AnswerPart[] | Error>, reindex: () => Promise<IndexSummary>): DocentServices {
  let i = 0;
  return {
    ask() {
      const script = scripts[i++]!;
      return {
        answerId: `a${i}`,
        parts: (async function* () {
          yield { type: 'text-delta', text: 'x' } as AnswerPart;
          if (script instanceof Error) throw script;
          yield* script;
        })(),
      };
    },
    status: () => Promise.reject(new Error('unused')),
    sources: () => Promise.reject(new Error('unused')),
    reindex: () => reindex(),
    isAdmin: () => false,
    scopeFor: () => undefined,
    recordFeedback: async () => 'recorded' as const,
  };
}

async function drain(parts: AsyncIterable<AnswerPart>): Promise<AnswerPart[]> {
  const out: AnswerPart[] = [];
  for await (const p of parts) out.push(p);
  return out;
}

describe('metrics', () => {
  it('maps each answer ending to one outcome and passes parts through unchanged', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const scripts: Array<AnswerPart[] | Error> = [
      [finish({ fallbacks: [{ backend: 'ollama:y', reason: 'timeout' }] })],
      [finish({ cached: true, timings: { retrievalMs: 0, firstTokenMs: null, totalMs: 1 } })],
      [finish({ backend: 'extractive', notFound: true, timings: { retrievalMs: 5, firstTokenMs: null, totalMs: 6 } })],
      [{ type: 'error', error: new DocentError('all_backends_failed', 'provider', 'no') }],
      new Error('stream broke'),
    ];
    const services = instrumentServices(fakeServices(scripts, async () => ({ seconds: 42 }) as IndexSummary), metrics);
    const first = services.ask({ text: 'q', history: [] });
    expect(first.answerId).toBe('a1');
    const parts = await drain(first.parts);
    expect(parts.map((p) => p.type)).toEqual(['text-delta', 'finish']);
    for (let n = 0; n < 3; n++) await drain(services.ask({ text: 'q', history: [] }).parts);
    await expect(drain(services.ask({ text: 'q', history: [] }).parts)).rejects.toThrow('stream broke');

    const m = parsePrometheusText(await metrics.render());
    expect(sampleValue(m, 'docent_answers_total', { backend: 'hf:x', outcome: 'answered' })).toBe(1);
    expect(sampleValue(m, 'docent_answers_total', { backend: 'hf:x', outcome: 'cached' })).toBe(1);
    expect(sampleValue(m, 'docent_answers_total', { backend: 'extractive', outcome: 'not_found' })).toBe(1);
    expect(sampleValue(m, 'docent_answers_total', { backend: 'none', outcome: 'error' })).toBe(2);
    expect(sampleValue(m, 'docent_backend_fallbacks_total', { backend: 'ollama:y' })).toBe(1);
    // Only the answer that generated has a first-token time; all three finished ones have a total.
    expect(sampleValue(m, 'docent_answer_stage_seconds_count', { stage: 'first_token' })).toBe(1);
    expect(sampleValue(m, 'docent_answer_stage_seconds_count', { stage: 'total' })).toBe(3);
    expect(sampleValue(m, 'docent_answer_stage_seconds_bucket', { stage: 'first_token', le: '0.25' })).toBe(0);
    expect(sampleValue(m, 'docent_answer_stage_seconds_bucket', { stage: 'first_token', le: '0.5' })).toBe(1);
  });

  it('counts admin reindexes by outcome and keeps the error', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let fail = false;
    const services = instrumentServices(fakeServices([], async () => {
      if (fail) throw new Error('disk full');
      return { seconds: 42 } as IndexSummary;
    }), metrics);
    await services.reindex(() => {});
    fail = true;
    await expect(services.reindex(() => {})).rejects.toThrow('disk full');
    metrics.observeReindex('schedule', true, 700);
    const m = parsePrometheusText(await metrics.render());
    expect(sampleValue(m, 'docent_reindex_runs_total', { trigger: 'admin', outcome: 'ok' })).toBe(1);
    expect(sampleValue(m, 'docent_reindex_runs_total', { trigger: 'admin', outcome: 'error' })).toBe(1);
    expect(sampleValue(m, 'docent_reindex_runs_total', { trigger: 'schedule', outcome: 'ok' })).toBe(1);
    expect(sampleValue(m, 'docent_reindex_duration_seconds_count')).toBe(3);
    expect(sampleValue(m, 'docent_reindex_duration_seconds_bucket', { le: '60' })).toBe(2);
  });
});
