/**
 * Answers the model did not finish, end to end below the adapters: the real pipeline and fallback chain, the
 * real @huggingface/inference and ollama clients, and loopback fakes speaking the HF router's SSE and Ollama's
 * NDJSON. A `finish_reason`/`done_reason` of `length` and a stream that ends without any finish must reach
 * the user as a cut answer (a note after the text), be reported in `finish`, and never be cached.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnswerCache } from '../../../src/core/answer/answer-cache.js';
import { createAnswerPipeline, type AnswerSettings } from '../../../src/core/answer/answer-pipeline.js';
import { createFallbackChain } from '../../../src/core/answer/fallback-chain.js';
import type { PassageRetriever, RetrievedPassage } from '../../../src/core/answer/ports.js';
import type { FinishInfo } from '../../../src/core/answer/types.js';
import { createExtractiveGenerator } from '../../../src/providers/generators/extractive-generator.js';
import type { Generator } from '../../../src/core/ports/generator.js';
import { createHfChatGenerator } from '../../../src/providers/generators/hf-chat-generator.js';
import { createOllamaChatGenerator } from '../../../src/providers/generators/ollama-chat-generator.js';
import { script, type ChatStage } from '../../fakes/chat-script.js';
import { startFakeHfServer, type FakeHfServer } from '../../fakes/fake-hf-server.js';
import { startFakeOllamaServer, type FakeOllamaServer } from '../../fakes/fake-ollama-server.js';

const settings: AnswerSettings = {
  k: 4, catalogName: 'the test catalog', historyTurns: 6, maxPassageChars: 1000, maxTokens: 200, temperature: 0,
  rewriteTimeoutMs: 500, minVectorScore: 0.5, minCoverage: 0.6, minWeightedCoverage: 0.5,
};

const hit: RetrievedPassage = {
  id: 'th', sourceId: 'fsgeodata/Actv_TimberHarvest.xml', title: 'S_USA.Actv_TimberHarvest', url: 'https://data.fs.usda.gov/th', path: null, page: null, kind: 'fgdc',
  text: 'S_USA.Actv_TimberHarvest\nKeywords: Timber Harvest\n\nThe timber harvest layer depicts acres of timber harvest reported in FACTS.', signals: { vector: 0.8, keyword: 9 },
};
const retriever: PassageRetriever = { search: async () => ({ hits: [hit], degraded: [] }) };

const QUESTION = 'timber harvest acres';
const TOKENS = ['Timber harvest acres ', 'are reported in FACTS [1]', ' and updated'];

let hf: FakeHfServer;
let ollama: FakeOllamaServer;
// Fresh fakes per test: a script left queued by a failing test must not leak into the next.
beforeEach(async () => {
  [hf, ollama] = await Promise.all([startFakeHfServer(), startFakeOllamaServer()]);
});
afterEach(async () => {
  await Promise.all([hf.close(), ollama.close()]);
});

const backends: Array<{ name: string; stage: () => ChatStage; make: () => Generator }> = [
  { name: 'HF router (SSE)', stage: () => hf.chat, make: () => createHfChatGenerator({ model: 'meta-llama/Llama-3.1-8B-Instruct', token: 'hf_test', fetch: hf.hubFetch }) },
  { name: 'Ollama (NDJSON)', stage: () => ollama.chat, make: () => createOllamaChatGenerator({ host: ollama.url }) },
];

describe.each(backends)('a cut answer from $name', ({ stage, make }) => {
  let cache: AnswerCache;
  let llm: Generator;
  let ask: () => Promise<{ text: string; finish: FinishInfo }>;
  beforeEach(() => {
    cache = new AnswerCache(60_000, 10);
    llm = make();
    const chain = createFallbackChain({
      backends: [llm, createExtractiveGenerator()].map((generator) => ({ generator, firstTokenTimeoutMs: 3000, totalTimeoutMs: 5000, retries: 0 })),
      breaker: { failureThreshold: 3, cooldownMs: 60_000 },
      backoff: { baseMs: 1, maxMs: 2 },
    });
    const pipeline = createAnswerPipeline({ retriever, chain, cache, indexVersion: () => 1, settings });
    ask = async () => {
      let text = '';
      for await (const part of pipeline.answer({ text: QUESTION, history: [] })) {
        if (part.type === 'text-delta') text += part.text;
        else if (part.type === 'finish') return { text, finish: part.info };
        else if (part.type === 'error') throw part.error;
      }
      throw new Error('no finish part');
    };
  });

  it('is shown as cut at the length limit, reported as length, and asked again rather than cached', { timeout: 10_000 }, async () => {
    stage().enqueue(script({ tokens: TOKENS, finishReason: 'length' }), script({ tokens: TOKENS, finishReason: 'length' }));
    const first = await ask();
    expect(first.text).toBe('Timber harvest acres are reported in FACTS [1] and updated\n\n(cut at the length limit)');
    expect(first.finish).toMatchObject({ finishReason: 'length', backend: llm.id, fallbacks: [], cached: false, text: first.text });
    expect(first.finish.citations.map((c) => c.sourceId)).toEqual([hit.sourceId]);
    const second = await ask();
    expect(second.finish).toMatchObject({ finishReason: 'length', cached: false });
    expect(stage().requests).toHaveLength(2);
    expect(cache.size).toBe(0);
  });

  it('is shown as cut off when the response ends without any finish, with no fallback', { timeout: 10_000 }, async () => {
    stage().enqueue(script({ tokens: TOKENS, noTerminator: true }));
    const { text, finish } = await ask();
    expect(text).toBe('Timber harvest acres are reported in FACTS [1] and updated\n\n(the answer was cut off)');
    expect(finish).toMatchObject({ finishReason: 'cut', backend: llm.id, fallbacks: [] });
    expect(cache.size).toBe(0);
  });

  it('falls back to the excerpts when the response ends with neither text nor a finish', { timeout: 10_000 }, async () => {
    stage().enqueue(script({ tokens: [], noTerminator: true }));
    const { text, finish } = await ask();
    expect(text).toMatch(/^Excerpts from the catalog/);
    expect(finish).toMatchObject({ finishReason: 'stop', backend: 'extractive' });
    expect(finish.fallbacks).toEqual([{ backend: llm.id, reason: 'the stream ended without any text or a finish reason' }]);
  });

  it('is cached when the model finished normally (the contrast)', { timeout: 10_000 }, async () => {
    stage().enqueue(script({ tokens: TOKENS }));
    const first = await ask();
    expect(first.text).toBe('Timber harvest acres are reported in FACTS [1] and updated');
    expect(first.finish).toMatchObject({ finishReason: 'stop', cached: false });
    expect((await ask()).finish).toMatchObject({ finishReason: 'stop', cached: true });
  });
});
