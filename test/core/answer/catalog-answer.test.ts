/**
 * The answer pipeline with catalog-native answers: dates become a retrieval filter and leave the search words,
 * the answer states the filter, and an LLM's prose comes with the same dataset cards, numbered as it cites.
 */
import { describe, expect, it } from 'vitest';
import { AnswerCache } from '../../../src/core/answer/answer-cache.js';
import { createAnswerPipeline, type AnswerSettings } from '../../../src/core/answer/answer-pipeline.js';
import { createFallbackChain } from '../../../src/core/answer/fallback-chain.js';
import type { PassageRetriever, RetrievedPassage } from '../../../src/core/answer/ports.js';
import type { AnswerPart, FinishInfo } from '../../../src/core/answer/types.js';
import type { Filter } from '../../../src/core/types.js';
import { encodeLinks } from '../../../src/core/record-fields.js';
import type { Generator } from '../../../src/core/ports/generator.js';

const settings: AnswerSettings = {
  k: 4, catalogName: 'the test catalog', historyTurns: 6, maxPassageChars: 1000, maxTokens: 200, temperature: 0,
  rewriteTimeoutMs: 500, minVectorScore: 0.5, minCoverage: 0.6, minWeightedCoverage: 0.5,
};

const hits: RetrievedPassage[] = [
  { id: 'notes', sourceId: 'notes.md', title: 'Elk notes', url: null, path: '/d/notes.md', page: null, kind: 'markdown', text: 'Elk notes\n\nElk data comes from collars.', signals: { vector: 0.7, keyword: 5 } },
  { id: 'collars', sourceId: 'collars', title: 'Elk Collars', url: 'https://d.example/elk', path: null, page: null, kind: 'dcat', modified: '2022-03-01',
    text: 'Elk Collars\nKeywords: elk\n\nGPS collar data on elk movement. Hourly fixes.', signals: { vector: 0.8, keyword: 9 },
    fields: { periodStart: '2016', periodEnd: '2021', formats: 'CSV', landingPage: 'https://d.example/elk', downloads: encodeLinks([{ format: 'CSV', url: 'https://d.example/elk.csv' }]) } },
];

function run(gen: Generator, seen: Array<{ q: string; filter?: Filter }>, cache?: AnswerCache) {
  const retriever: PassageRetriever = { search: async (q, o) => (seen.push({ q, ...(o.filter ? { filter: o.filter } : {}) }), { hits, degraded: [] }) };
  const chain = createFallbackChain({
    backends: [{ generator: gen, firstTokenTimeoutMs: 2000, totalTimeoutMs: 5000, retries: 0 }],
    breaker: { failureThreshold: 3, cooldownMs: 60_000 }, backoff: { baseMs: 1, maxMs: 2 },
  });
  return createAnswerPipeline({ retriever, chain, cache, indexVersion: () => 1, settings });
}

async function collect(parts: AsyncIterable<AnswerPart>): Promise<{ text: string; finish: FinishInfo }> {
  let text = '';
  let finish: FinishInfo | undefined;
  for await (const p of parts) {
    if (p.type === 'text-delta') text += p.text;
    if (p.type === 'finish') finish = p.info;
  }
  return { text, finish: finish! };
}

const llm = (tokens: string[]): Generator => ({
  id: 'llm',
  async *stream() {
    for (const text of tokens) yield { type: 'text', text };
    yield { type: 'finish', reason: 'stop' };
  },
});

describe('catalog-native answers in the pipeline', () => {
  it('filters retrieval by the dates, searches without them, states the filter, and adds cards to the prose', async () => {
    const seen: Array<{ q: string; filter?: Filter }> = [];
    const cache = new AnswerCache(60_000, 10);
    const p = run(llm(['Yes: GPS collar data [2] covers 2016–2021.']), seen, cache);
    const { text, finish } = await collect(p.answer({ text: 'is there data on elk since 2015?', history: [], sources: ['/cat'] }));
    expect(seen).toEqual([{ q: 'is there data on elk?', filter: { sources: ['/cat'], coverage: { from: '2015' } } }]);
    expect(text).toBe('Records covering 2015 or later:\n\nYes: GPS collar data [1] covers 2016–2021.');
    expect(finish.dateFilter).toEqual({ from: '2015', to: null, label: 'Records covering 2015 or later' });
    // Passage 2 is cited first, so it reads [1]: the card carries the same number.
    expect(finish.cards).toEqual([{
      n: 1, title: 'Elk Collars', summary: 'GPS collar data on elk movement.', period: '2016 to 2021', updated: '2022-03-01', publisher: null,
      formats: ['CSV'], landingUrl: 'https://d.example/elk', downloads: [{ format: 'CSV', url: 'https://d.example/elk.csv' }],
    }]);
    const again = await collect(p.answer({ text: 'Is there data on elk since 2015', history: [], sources: ['/cat'] }));
    expect(again.finish).toMatchObject({ cached: true, cards: finish.cards, dateFilter: finish.dateFilter });
    expect(again.text).toBe(text);
  });

  it('leaves a question without dates or a data request as it was', async () => {
    const seen: Array<{ q: string; filter?: Filter }> = [];
    const { text, finish } = await collect(run(llm(['Collars [2].']), seen).answer({ text: 'when are elk collars fitted?', history: [] }));
    expect(seen).toEqual([{ q: 'when are elk collars fitted?' }]);
    expect(text).toBe('Collars [1].');
    expect(finish.cards).toBeUndefined();
    expect(finish.dateFilter).toBeUndefined();
  });
});
