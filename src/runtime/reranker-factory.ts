import type { DocentConfig } from '../../config/schema.js';
import { indexPaths } from '../indexing/index-files.js';
import type { Logger } from '../logging/logger.js';
import type { Reranker } from '../providers/rerankers/reranker.js';

/**
 * Builds the configured reranker, or undefined for `none`. `auto` is none: the no-download soft-match reranker
 * lowered MRR@10 on three of the four eval corpora (PostgreSQL 0.456 → 0.425, PDFs 0.661 → 0.626, Python docs
 * 0.502 → 0.476; USFS 0.662 → 0.659) and there is no cross-encoder without a download. Imports lazily:
 * transformers is heavy to load.
 */
export async function createReranker(config: DocentConfig, logger: Logger, _activeEmbedderId = ''): Promise<Reranker | undefined> {
  const r = config.retrieval;
  const choice = r.reranker === 'auto' ? 'none' : r.reranker;
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
