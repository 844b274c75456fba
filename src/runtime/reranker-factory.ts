import type { DocentConfig } from '../../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { redactUrl } from '../core/redact-url.js';
import { isHuggingFaceUrl } from '../providers/hf-hosts.js';
import { indexPaths } from '../indexing/index-files.js';
import type { Logger } from '../logging/logger.js';
import type { Reranker } from '../core/ports/reranker.js';

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
      // The schema refuses this at start-up; a config built by hand (a script, a test) gets the same one line.
      if (!r.rerankUrl) throw new ConfigError('retrieval.rerankUrl (RERANK_URL)', 'is required when RERANKER=tei', 'set RERANK_URL to the TEI server, e.g. http://127.0.0.1:8080');
      const token = teiToken(config);
      if (!token && config.hf.token) logger.info({ url: redactUrl(r.rerankUrl) }, 'RERANK_URL is not a Hugging Face https host: HF_TOKEN is not sent to it (set RERANK_TOKEN if it needs a token)');
      return createTeiReranker({ url: r.rerankUrl, ...(token ? { token } : {}) });
    }
    case 'transformers': {
      const { createCrossEncoderReranker } = await import('../providers/rerankers/cross-encoder-reranker.js');
      return createCrossEncoderReranker({ model: r.rerankModel, cacheDir: indexPaths(config.dataDir).modelsDir, allowRemote: true });
    }
  }
}

/** RERANK_TOKEN when set; else HF_TOKEN, but only for a Hugging Face host over https (hf-hosts.ts); else none. */
export function teiToken(config: Pick<DocentConfig, 'retrieval' | 'hf'>): string | undefined {
  if (config.retrieval.rerankToken) return config.retrieval.rerankToken;
  return config.hf.token && isHuggingFaceUrl(config.retrieval.rerankUrl) ? config.hf.token : undefined;
}
