import type { DocentConfig } from '../../config/schema.js';
import { indexPaths } from '../indexing/index-files.js';
import type { Logger } from '../logging/logger.js';
import type { Reranker } from '../providers/rerankers/reranker.js';

/**
 * Builds the configured reranker, or undefined for `none`. `auto` uses the soft-match reranker when the active
 * embedder is the word-vector fallback (it measurably helps there, see the README's eval table, and shares the
 * already-loaded table) and none otherwise. Imports lazily: transformers is heavy to load.
 */
export async function createReranker(config: DocentConfig, logger: Logger, activeEmbedderId = ''): Promise<Reranker | undefined> {
  const r = config.retrieval;
  const choice = r.reranker === 'auto' ? (activeEmbedderId.startsWith('word-vectors:') ? 'word-vectors' : 'none') : r.reranker;
  switch (choice) {
    case 'none':
      return undefined;
    case 'word-vectors': {
      const { createSoftMatchReranker } = await import('../providers/rerankers/soft-match-reranker.js');
      return createSoftMatchReranker({ cacheDir: indexPaths(config.dataDir).modelsDir });
    }
    case 'tei': {
      const { createTeiReranker } = await import('../providers/rerankers/tei-reranker.js');
      if (!r.rerankUrl) logger.warn('RERANKER=tei needs RERANK_URL');
      return createTeiReranker({ url: r.rerankUrl, ...(config.hf.token ? { token: config.hf.token } : {}) });
    }
    case 'transformers': {
      const { createCrossEncoderReranker } = await import('../providers/rerankers/cross-encoder-reranker.js');
      return createCrossEncoderReranker({ model: r.rerankModel, cacheDir: indexPaths(config.dataDir).modelsDir, allowRemote: true });
    }
  }
}
