import { existsSync } from 'node:fs';
import type { DocentConfig } from '../../config/schema.js';
import { EmbedderMismatchError, NoIndexError } from '../core/errors.js';
import { indexPaths, readManifest, type IndexManifest } from '../indexing/index-files.js';
import type { Logger } from '../logging/logger.js';
import type { Reranker } from '../providers/rerankers/reranker.js';
import { HybridRetriever, type RetrieverSettings } from '../rag/hybrid-retriever.js';
import { openKeywordIndex } from '../stores/sqlite-keyword-index.js';
import type { ResolvedEmbedder } from './embedder-factory.js';
import type { OpenedStores } from './vector-stores.js';

export interface SearchService {
  retriever: HybridRetriever;
  manifest: IndexManifest;
}

export function retrieverSettings(config: DocentConfig): RetrieverSettings {
  const r = config.retrieval;
  return {
    candidates: r.candidates,
    fusion: r.fusion,
    rrfK: r.rrfK,
    vectorWeight: r.vectorWeight,
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
  if (!manifest || !existsSync(keywordFile)) throw new NoIndexError(indexPaths(config.dataDir).root);
  const active = deps.embedder.embedder;
  if (manifest.embedder.id !== active.id || manifest.embedder.dimension !== active.dimension) {
    throw new EmbedderMismatchError(manifest.embedder, { id: active.id, dimension: active.dimension });
  }
  if (!(await deps.stores.stores.list()).includes(manifest.collection)) {
    throw new NoIndexError(`${indexPaths(config.dataDir).root} (collection ${manifest.collection} is missing from ${deps.stores.chromaUrl})`);
  }
  const store = await deps.stores.stores.open(manifest.collection, { embedderId: manifest.embedder.id, dimension: manifest.embedder.dimension });
  const keyword = openKeywordIndex(keywordFile);
  const retriever = new HybridRetriever({ keyword, store, embedder: active, reranker: deps.reranker, settings: retrieverSettings(config) });
  return { retriever, manifest };
}
