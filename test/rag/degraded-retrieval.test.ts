import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHashEmbedder } from '../../src/providers/embedders/hash-embedder.js';
import type { Embedder } from '../../src/core/ports/embedder.js';
import type { Reranker } from '../../src/core/ports/reranker.js';
import { HybridRetriever } from '../../src/rag/hybrid-retriever.js';
import { createMemoryStoreFactory } from '../../src/stores/memory-store.js';
import { openKeywordIndex, writeKeywordIndex } from '../../src/stores/sqlite-keyword-index.js';
import { chunk } from '../helpers/chunks.js';

const settings = { candidates: 50, fusion: 'rrf' as const, rrfK: 60, vectorWeight: 1, maxPerDocument: 2, dedupThreshold: 0.9, rerankCandidates: 30 };
const chunks = [
  chunk('logger', 'Installing a temperature logger', 'Put the temperature logger in the main current, shaded and under water.'),
  chunk('snow', 'Snow sensors', 'Keep the snow pillow clear in winter.'),
  chunk('cite', 'Citing data', 'Cite the dataset with its DOI.'),
  ...Array.from({ length: 40 }, (_, i) => chunk(`filler${i}`, `Record ${i}`, `Stream gauge ${i} notes about a logger and water level.`)),
];

async function retrieverWith(o: { embedder?: Embedder; reranker?: Reranker; clock?: { t: number } }) {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'degraded-')), 'k.sqlite');
  writeKeywordIndex(file, chunks);
  const hash = createHashEmbedder();
  const stores = createMemoryStoreFactory();
  const store = await stores.open('v1', { embedderId: hash.id, dimension: hash.dimension });
  await store.upsert(chunks, await hash.embedDocuments(chunks.map((c) => c.text)));
  return new HybridRetriever({
    keyword: openKeywordIndex(file), store, embedder: o.embedder ?? hash, reranker: o.reranker, settings,
    breaker: { failures: 2, cooldownMs: 60_000, now: () => o.clock?.t ?? 0 },
  });
}

describe('retrieval without its optional parts', () => {
  it('a failing query embedder leaves keyword search, reported as degraded', async () => {
    const hash = createHashEmbedder();
    const broken: Embedder = { ...hash, embedQuery: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:11434'); } };
    const r = await retrieverWith({ embedder: broken });
    const out = await r.search('where do I put the temperature logger', { k: 3 });
    expect(out.hits[0]!.id).toBe('logger');
    expect(out.degraded).toEqual([{ part: 'vector search', reason: 'connect ECONNREFUSED 127.0.0.1:11434' }]);
    // --mode vector falls back to keyword search rather than returning nothing.
    const vectorOnly = await r.search('temperature logger', { k: 3, mode: 'vector' });
    expect(vectorOnly.hits[0]!.id).toBe('logger');
    expect(vectorOnly.degraded[0]!.part).toBe('vector search');
  });

  it('a failing reranker leaves the fused order; after repeated failures it is skipped until the cooldown ends', async () => {
    const clock = { t: 0 };
    let calls = 0;
    let healthy = false;
    const reranker: Reranker = {
      id: 'tei:dead',
      score: async (_q, passages) => {
        calls++;
        if (!healthy) throw new Error('fetch failed');
        return passages.map((p) => (p.includes('DOI') ? 1 : 0));
      },
    };
    const r = await retrieverWith({ reranker, clock });
    const first = await r.search('temperature logger', { k: 3 });
    expect(first.hits[0]!.id).toBe('logger');
    expect(first.degraded).toEqual([{ part: 'reranker', reason: 'fetch failed' }]);
    await r.search('temperature logger', { k: 3 });
    expect(calls).toBe(2);
    // The breaker is open: the dead reranker is not called (no timeout paid), and the search says why.
    const skipped = await r.search('temperature logger', { k: 3 });
    expect(calls).toBe(2);
    expect(skipped.degraded[0]!.reason).toMatch(/skipped after repeated failures/);
    expect(skipped.hits[0]!.id).toBe('logger');
    // After the cooldown one trial goes through; the reranker is back and its order is used again.
    healthy = true;
    clock.t = 61_000;
    const back = await r.search('cite the data temperature logger', { k: 3 });
    expect(calls).toBe(3);
    expect(back.degraded).toEqual([]);
    expect(back.hits[0]!.id).toBe('cite');
  });

  it('a reranker that returns the wrong number of scores is a failure, not a silent mis-ranking', async () => {
    const reranker: Reranker = { id: 'short', score: async () => [1] };
    const out = await (await retrieverWith({ reranker })).search('temperature logger', { k: 3 });
    expect(out.degraded[0]).toMatchObject({ part: 'reranker' });
    expect(out.hits[0]!.id).toBe('logger');
  });

  it('after a rerank, hits past the reranked head stay below it (one score scale for diversity)', async () => {
    // The reranker prefers filler records; the tail (past rerankCandidates) must not jump above the head.
    const reranker: Reranker = { id: 'x', score: async (_q, ps) => ps.map((_, i) => 0.1 + i / 1000) };
    const r = (await retrieverWith({ reranker })).withSettings({ rerankCandidates: 5 });
    const plain = await r.retrieve('logger water stream gauge', { k: 20, mode: 'keyword', rerank: false });
    const hits = await r.retrieve('logger water stream gauge', { k: 20, mode: 'keyword' });
    // The reranker reorders the first five among themselves; the rest follow in keyword order.
    expect(hits.slice(0, 5).map((h) => h.id).sort()).toEqual(plain.slice(0, 5).map((h) => h.id).sort());
    expect(hits.slice(0, 5).map((h) => h.id)).toEqual(plain.slice(0, 5).map((h) => h.id).reverse());
    expect(hits.slice(5).map((h) => h.id)).toEqual(plain.slice(5).map((h) => h.id));
  });
});
