/**
 * `npx tsx test/eval/tune-fusion.ts`: the grid behind the fusion rule in the README. For every corpus, on the
 * TUNING questions only (held-out ones never inform a choice), prints R@5 / MRR@10 of keyword search and of
 * hybrid retrieval at several vector-list weights, with and without the reranker, beside the reference BM25.
 * Reuses the eval's indexes (`npm run eval` builds them; this indexes incrementally too).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import { runIndex } from '../../src/indexing/indexer.js';
import { readManifest } from '../../src/indexing/index-files.js';
import { createLogger } from '../../src/logging/logger.js';
import { resolveEmbedder } from '../../src/runtime/embedder-factory.js';
import { createReranker } from '../../src/runtime/reranker-factory.js';
import { openSearchService } from '../../src/runtime/search-service.js';
import { openVectorStores } from '../../src/runtime/vector-stores.js';
import { repoRoot } from '../bench/repo-root.js';
import { linkSharedModels } from '../bench/shared-models.js';
import { corpora, loadDocuments, referenceText } from './corpora.js';
import { loaderLimits } from '../../src/indexing/loader-limits.js';
import { firstRelevantRank, fmt, metrics } from './metrics.js';
import { ReferenceBM25 } from './reference-bm25.js';

const repo = repoRoot(import.meta.dirname);
const shared = path.resolve(repo, '../shared');
const logger = createLogger({ level: 'warn', pretty: 'never' });
const weights = (process.env.TUNE_WEIGHTS ?? '1,0.5,0.25,0.1').split(',').filter(Boolean).map(Number);
const only = process.env.TUNE_CORPORA?.split(',');

for (const corpus of corpora(repo, shared, path.join(repo, '.docent-eval', 'corpora'))) {
  if (only && !only.includes(corpus.name)) continue;
  const qs = corpus.questions();
  const where = await corpus.resolve();
  if (!Array.isArray(qs) || 'skip' in where) continue;
  const questions = qs.filter((q) => !q.heldOut);
  const dataDir = path.join(repo, '.docent-eval', corpus.name, 'auto');
  if (!existsSync(dataDir)) linkSharedModels(dataDir);
  const config = loadConfig({ env: process.env, overrides: { dataDir, sources: [where.source], 'retrieval.reranker': process.env.RERANKER ?? 'word-vectors' } });
  const limits = loaderLimits(config.loader);
  const stores = await openVectorStores(config, logger);
  try {
    const embedder = await resolveEmbedder(config, readManifest(dataDir), logger);
    await runIndex({ dataDir, sources: config.sources, chunking: config.chunking, loader: limits, embedder: embedder.embedder, batchSize: config.embedder.batchSize, stores: stores.stores, logger });
    const reranker = await createReranker(config, logger, embedder.embedder.id);
    const { retriever } = await openSearchService(config, { stores, embedder, reranker, logger });
    const docs = await loadDocuments(where.source, limits);
    const bm25 = new ReferenceBM25(docs.map((d) => ({ key: corpus.docKey(d), text: referenceText(d) })));
    const score = async (ask: (q: string) => Promise<string[][]>) => {
      const ranks = [];
      for (const q of questions) ranks.push({ rank: firstRelevantRank(await ask(q.question), q.relevant) });
      const m = metrics(ranks);
      return `${fmt(m.r5)} / ${fmt(m.mrr10)}`;
    };
    const rows: Array<[string, string]> = [];
    rows.push(['reference', await score(async (q) => bm25.search(q, 10).map((h) => [h.key]))]);
    rows.push(['keyword', await score(async (q) => (await retriever.retrieve(q, { k: 10, mode: 'keyword', rerank: false })).map((h) => corpus.hitKeys(h)))]);
    rows.push(['keyword + rerank', await score(async (q) => (await retriever.retrieve(q, { k: 10, mode: 'keyword', rerank: true })).map((h) => corpus.hitKeys(h)))]);
    const fusion = (process.env.TUNE_FUSION ?? 'rrf') as 'rrf' | 'score' | 'rrf-within-keyword';
    for (const w of weights) {
      const r = retriever.withSettings({ vectorWeight: w, fusion });
      rows.push([`${fusion} w=${w}`, await score(async (q) => (await r.retrieve(q, { k: 10, rerank: false })).map((h) => corpus.hitKeys(h)))]);
      rows.push([`${fusion} w=${w} + rerank`, await score(async (q) => (await r.retrieve(q, { k: 10, rerank: true })).map((h) => corpus.hitKeys(h)))]);
    }
    console.log(`\n${corpus.name} (${questions.length} tuning questions), R@5 / MRR@10:`);
    for (const [name, v] of rows) console.log(`  ${name.padEnd(24)} ${v}`);
    retriever.close();
  } finally {
    await stores.close();
  }
}
