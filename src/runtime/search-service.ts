import { existsSync } from 'node:fs';
import type { DocentConfig } from '../../config/schema.js';
import { EmbedderMismatchError, NoIndexError } from '../core/errors.js';
import { indexPaths, readManifest, type IndexManifest } from '../indexing/index-files.js';
import type { Logger } from '../logging/logger.js';
import type { Reranker } from '../core/ports/reranker.js';
import { HybridRetriever, type RetrieverSettings } from '../rag/hybrid-retriever.js';
import { openKeywordIndex } from '../stores/sqlite-keyword-index.js';
import type { ResolvedEmbedder } from './embedder-factory.js';
import type { OpenedStores } from './vector-stores.js';

export interface SearchService {
  retriever: HybridRetriever;
  manifest: IndexManifest;
}

/**
 * The vector list's weight in fusion. `auto`: 0 for the lexical fallbacks (word-vectors, hash) — measured on the
 * four eval corpora, fusing the word-vector list with BM25 lowered MRR@10 on at least one corpus at every weight
 * and fusion tried (weight 0.1: PostgreSQL 0.456 → 0.411, PDFs 0.661 → 0.607), so BM25 alone ranks and the vector
 * list only fills in when BM25 finds nothing (and gives the not-found gate its similarity); 1 (equal-weight RRF)
 * for sentence-transformer and hosted embedders, which we could not measure here.
 */
export function vectorWeightFor(setting: number | 'auto', embedderId: string): number {
  if (setting !== 'auto') return setting;
  return /^(word-vectors|hash):/.test(embedderId) ? 0 : 1;
}

export function retrieverSettings(config: DocentConfig, embedderId = ''): RetrieverSettings {
  const r = config.retrieval;
  return {
    candidates: r.candidates,
    fusion: r.fusion,
    rrfK: r.rrfK,
    vectorWeight: vectorWeightFor(r.vectorWeight, embedderId),
    maxPerDocument: r.maxPerDocument,
    dedupThreshold: r.dedupThreshold,
    rerankCandidates: r.rerankCandidates,
  };
}

/**
 * Opens the serving index version for search: its keyword index file and its Chroma collection, after checking
 * that the active embedder is the one that built it.
 */
export async function openSearchService(
  config: DocentConfig,
  deps: { stores: OpenedStores; embedder: ResolvedEmbedder; reranker?: Reranker | undefined; logger: Logger },
): Promise<SearchService> {
  const manifest = readManifest(config.dataDir);
  const keywordFile = manifest ? indexPaths(config.dataDir).keywordFile(manifest.version) : '';
  if (!manifest) throw new NoIndexError(indexPaths(config.dataDir).root);
  if (!existsSync(keywordFile)) throw new NoIndexError(indexPaths(config.dataDir).root, `version ${manifest.version}'s keyword file ${keywordFile} is missing`);
  const active = deps.embedder.embedder;
  if (manifest.embedder.id !== active.id || manifest.embedder.dimension !== active.dimension) {
    throw new EmbedderMismatchError(manifest.embedder, { id: active.id, dimension: active.dimension });
  }
  if (!(await deps.stores.stores.list()).includes(manifest.collection)) {
    throw new NoIndexError(indexPaths(config.dataDir).root, `version ${manifest.version}'s collection ${manifest.collection} is missing from ${deps.stores.chromaUrl}`);
  }
  const store = await deps.stores.stores.open(manifest.collection, { embedderId: manifest.embedder.id, dimension: manifest.embedder.dimension });
  const keyword = openKeywordIndex(keywordFile);
  const retriever = new HybridRetriever({ keyword, store, embedder: active, reranker: deps.reranker, settings: retrieverSettings(config, active.id) });
  return { retriever, manifest };
}
