/**
 * Search-quality smoke test on the project's own sample catalog (no ../shared needed): the full pipeline —
 * loaders, chunker, the no-download word-vector embedder and reranker (the zero-config default), the keyword
 * index and hybrid retrieval — must put
 * the right document in the top three for questions asked in a user's own words.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexPaths, readManifest } from '../../src/indexing/index-files.js';
import { runIndex } from '../../src/indexing/indexer.js';
import { createWordVectorEmbedder } from '../../src/providers/embedders/word-vector-embedder.js';
import { createSoftMatchReranker } from '../../src/providers/rerankers/soft-match-reranker.js';
import { HybridRetriever } from '../../src/rag/hybrid-retriever.js';
import { openKeywordIndex } from '../../src/stores/sqlite-keyword-index.js';
import { createMemoryStoreFactory } from '../../src/stores/memory-store.js';
import { sharedWordVectorCacheDir } from '../helpers/word-vector-cache.js';

const repo = path.resolve(import.meta.dirname, '../..');
const sample = path.join(repo, 'data/sample');
const settings = { candidates: 50, fusion: 'rrf' as const, rrfK: 60, vectorWeight: 1, maxPerDocument: 2, dedupThreshold: 0.9, rerankCandidates: 30 };

describe('search quality on data/sample', () => {
  let retriever: HybridRetriever;
  beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'docent-quality-'));
    // Shared with the word-vector tests so the 307 MB package is converted once per machine.
    const cacheDir = sharedWordVectorCacheDir;
    const embedder = await createWordVectorEmbedder({ cacheDir });
    const reranker = await createSoftMatchReranker({ cacheDir });
    const stores = createMemoryStoreFactory();
    await runIndex({
      dataDir, sources: [sample], stores, embedder, batchSize: 32, logger: pino({ level: 'silent' }),
      chunking: { size: 1200, overlap: 150, recordSize: 4000 }, loader: { maxFileBytes: 2 ** 24, fetchTimeoutMs: 1000 },
    });
    const m = readManifest(dataDir)!;
    const store = await stores.open(m.collection, { embedderId: m.embedder.id, dimension: m.embedder.dimension });
    retriever = new HybridRetriever({ keyword: openKeywordIndex(indexPaths(dataDir).keywordFile(m.version)), store, embedder, reranker, settings });
  });

  it.each([
    ['where should I put the thermometer thing in the creek', 'reports/field-manual.pdf', 2],
    ['how do I keep the snowpack sensors working through the winter', 'reports/field-manual.pdf', 3],
    ['can I use your elevation maps for a commercial product', null, null],
    ['how do I cite your data in a paper', 'guides/data-access-policy.md', null],
  ])('%s', async (question, sourceId, page) => {
    const hits = await retriever.retrieve(question, { k: 3 });
    if (sourceId === null) {
      // The LiDAR dataset (licensed non-commercial) or the access policy answers it.
      expect(hits.slice(0, 2).some((h) => /lidar|access-policy/i.test(`${h.sourceId} ${h.title}`))).toBe(true);
      return;
    }
    // Among the three passages an answer would be written from (the related dataset record may rank first).
    const found = hits.findIndex((h) => h.sourceId === sourceId && (page === null || h.page === page));
    expect(found, hits.map((h) => `${h.sourceId}:${h.page}`).join(', ')).toBeGreaterThanOrEqual(0);
  });
});
