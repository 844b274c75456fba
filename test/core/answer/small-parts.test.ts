import { describe, expect, it } from 'vitest';
import { AnswerCache, normalizeQuestion } from '../../../src/core/answer/answer-cache.js';
import { publicBackend, publicReason } from '../../../src/core/answer/public-reason.js';
import { rewriteByRule, standaloneQuery } from '../../../src/core/answer/follow-up.js';
import { relevantPassages } from '../../../src/core/answer/relevance.js';
import type { RetrievedPassage } from '../../../src/core/answer/ports.js';
import type { Generator } from '../../../src/core/ports/generator.js';
import { createExtractiveGenerator, EXTRACTIVE_LABEL } from '../../../src/providers/generators/extractive-generator.js';

const hit = (text: string, vector: number | null): RetrievedPassage => ({
  id: text.slice(0, 8), sourceId: 's', title: 'T', url: null, path: null, page: null, kind: 'markdown', text, signals: { vector, keyword: null },
});

describe('relevance gate', () => {
  const t = { minVectorScore: 0.5, minCoverage: 0.6, minWeightedCoverage: 0.5 };
  it('keeps passages close in meaning or sharing most of the question words', () => {
    expect(relevantPassages('timber harvest maps', [hit('Timber harvest acres by forest', 0.2)], t)).toHaveLength(1);
    expect(relevantPassages('where did they cut trees', [hit('Timber harvest acres', 0.7)], t)).toHaveLength(1);
  });
  it('keeps a passage holding most of the question\'s IDF weight (rare words count more)', () => {
    expect(relevantPassages('timber harvest maps', [{ ...hit('Harvest acres', 0.2), signals: { vector: 0.2, keyword: 1, coverage: 0.7 } }], t)).toHaveLength(1);
    expect(relevantPassages('banana bread recipe', [{ ...hit('Timber harvest acres by forest', 0.3), signals: { vector: 0.3, keyword: 1, coverage: 0.2 } }], t)).toHaveLength(0);
  });
  it('drops passages that are neither', () => {
    expect(relevantPassages('banana bread recipe', [hit('Timber harvest acres by forest', 0.3)], t)).toHaveLength(0);
  });
});

describe('follow-ups', () => {
  const history = [
    { role: 'user' as const, text: 'timber harvest maps for Oregon' },
    { role: 'assistant' as const, text: 'See [1].' },
  ];
  it('carries the previous question into a dependent follow-up', () => {
    expect(rewriteByRule('and the one from 2011?', history)).toBe('timber harvest maps oregon 2011');
    expect(rewriteByRule('what about Idaho?', history)).toBe('timber harvest maps oregon idaho');
  });
  it('leaves standalone questions alone', () => {
    expect(rewriteByRule('wilderness boundaries in Montana national forests', history)).toBe('wilderness boundaries in Montana national forests');
  });
  it('uses the LLM when it answers, and the rule when it fails', async () => {
    const good: Generator = {
      id: 'llm',
      async *stream() {
        yield { type: 'text', text: '"timber harvest ' };
        yield { type: 'text', text: 'maps Oregon 2011"\nextra' };
        yield { type: 'finish', reason: 'stop' };
      },
    };
    const bad: Generator = { id: 'llm', async *stream() { throw new Error('down'); } };
    expect(await standaloneQuery('and 2011?', history, { llm: good, timeoutMs: 1000 })).toEqual({ query: 'timber harvest maps Oregon 2011', focus: '2011', by: 'llm' });
    expect((await standaloneQuery('and 2011?', history, { llm: bad, timeoutMs: 1000 })).by).toBe('rule');
    expect(await standaloneQuery('fire maps', [], { timeoutMs: 1000 })).toEqual({ query: 'fire maps', focus: '', by: 'none' });
  });
});

describe('AnswerCache', () => {
  it('keys by normalised question, scope and index version; expires; evicts least recently used', () => {
    let now = 0;
    const cache = new AnswerCache(1000, 2, () => now);
    const v = { passages: [], text: 'a', citations: [], backend: 'extractive', notFound: false, searchQuery: 'q' };
    expect(normalizeQuestion('  Timber   MAPS?? ')).toBe('timber maps');
    cache.set(AnswerCache.key('Timber maps?', 1), v);
    expect(cache.get(AnswerCache.key('timber maps', 1))).toEqual(v);
    expect(cache.get(AnswerCache.key('timber maps', 2))).toBeUndefined();
    cache.set(AnswerCache.key('b', 1), v);
    cache.get(AnswerCache.key('timber maps', 1));
    cache.set(AnswerCache.key('c', 1), v);
    expect(cache.get(AnswerCache.key('b', 1))).toBeUndefined();
    now = 5000;
    expect(cache.get(AnswerCache.key('timber maps', 1))).toBeUndefined();
  });

  it('a read keeps an entry but does not extend its life; ttl or size 0 turns the cache off', () => {
    let now = 0;
    const v = { passages: [], text: 'a', citations: [], backend: 'extractive', notFound: false, searchQuery: 'q' };
    const cache = new AnswerCache(1000, 10, () => now);
    cache.set('k', v);
    now = 900;
    expect(cache.get('k')).toEqual(v);
    now = 1001;
    expect(cache.get('k')).toBeUndefined();
    for (const off of [new AnswerCache(0, 10, () => now), new AnswerCache(1000, 0, () => now)]) {
      off.set('k', v);
      expect([off.get('k'), off.size]).toEqual([undefined, 0]);
    }
  });
});

describe('extractive generator', () => {
  it('quotes the best sentences with citations under a plain label', async () => {
    const passages = [
      { n: 1, chunkId: 'a', sourceId: 'a', title: 'Timber Harvests', url: null, path: null, page: null, kind: 'dcat' as const,
        text: 'Timber Harvests\nKeywords: FACTS\n\nDepicts acres of timber harvest reported in FACTS. Updated weekly by each unit.' },
      { n: 2, chunkId: 'b', sourceId: 'b', title: 'Roads', url: null, path: null, page: null, kind: 'dcat' as const,
        text: 'Roads\n\nForest roads open to motor vehicles. Closures are listed by district office.' },
    ];
    let out = '';
    const parts: string[] = [];
    for await (const p of createExtractiveGenerator().stream({ messages: [], question: 'timber harvest acres', passages, history: [], maxTokens: 100, temperature: 0 }, new AbortController().signal)) {
      parts.push(p.type);
      if (p.type === 'text') out += p.text;
    }
    // Text, then one finish at the end: excerpts are always complete.
    expect(parts.at(-1)).toBe('finish');
    expect(parts.filter((t) => t === 'finish')).toHaveLength(1);
    expect(out.startsWith(EXTRACTIVE_LABEL)).toBe(true);
    expect(out).toContain('> Depicts acres of timber harvest reported in FACTS. [1]');
    expect(out).not.toContain('Keywords:');
  });
});

describe('publicReason (a failure reason as chat users and browsers see it)', () => {
  it('keeps what went wrong and drops where: URLs, IPs, host:port', () => {
    expect(publicReason('cannot reach Ollama at http://10.0.0.5:11434 (ECONNREFUSED)')).toBe('cannot reach Ollama at its endpoint (ECONNREFUSED)');
    expect(publicReason('https://xyz123.us-east-1.aws.endpoints.huggingface.cloud/v1/chat answered HTTP 500: overloaded')).toBe('its endpoint answered HTTP 500: overloaded');
    expect(publicReason('connect ECONNREFUSED 10.1.2.3:8000')).toBe('connect ECONNREFUSED its host');
    expect(publicReason('connect ECONNREFUSED [::1]:11434')).toBe('connect ECONNREFUSED its host');
    expect(publicReason('llm.internal.example:8080 did not answer within 8000 ms')).toBe('its host did not answer within 8000 ms');
    expect(publicReason('stream broke after 3 tokens: HTTP 500 (2 attempts)')).toBe('stream broke after 3 tokens: HTTP 500 (2 attempts)');
    // The punctuation after a URL is the sentence's, not the URL's.
    expect(publicReason('cannot reach http://127.0.0.1:59999: Connection error.')).toBe('cannot reach its endpoint: Connection error.');
    expect(publicReason('see https://h.example/v1.')).toBe('see its endpoint.');
  });

  it('names a backend without its endpoint', () => {
    expect(publicBackend('openai:m@http://127.0.0.1:59999')).toBe('openai:m');
    expect(publicBackend('hf:meta-llama/Llama-3.1-8B-Instruct')).toBe('hf:meta-llama/Llama-3.1-8B-Instruct');
    expect(publicBackend('ollama:llama3@latest')).toBe('ollama:llama3@latest');
  });
});
