import { ProviderError } from '../../core/errors.js';
import type { Reranker } from './reranker.js';

/**
 * A Text Embeddings Inference (TEI) compatible `/rerank` endpoint: POST {query, texts} → [{index, score}].
 * TEI serves cross-encoders such as BAAI/bge-reranker-base; the HF Inference API does not rerank.
 */
export function createTeiReranker(opts: { url: string; token?: string; timeoutMs?: number }): Reranker {
  const endpoint = opts.url.replace(/\/+$/, '').endsWith('/rerank') ? opts.url : `${opts.url.replace(/\/+$/, '')}/rerank`;
  return {
    id: `tei:${endpoint}`,
    async score(query, passages) {
      if (passages.length === 0) return [];
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
          body: JSON.stringify({ query, texts: passages, truncate: true, raw_scores: false }),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
        });
      } catch (err) {
        throw new ProviderError('tei-reranker', `cannot reach ${endpoint}: ${(err as Error).message}`, { transient: true, cause: err, hint: 'Check RERANK_URL.' });
      }
      if (!res.ok) {
        throw new ProviderError('tei-reranker', `HTTP ${res.status} from ${endpoint}`, { transient: res.status === 429 || res.status >= 500 });
      }
      const body = (await res.json()) as Array<{ index: number; score: number }>;
      const scores = new Array<number>(passages.length).fill(Number.NEGATIVE_INFINITY);
      for (const r of body) if (r.index >= 0 && r.index < scores.length) scores[r.index] = r.score;
      return scores;
    },
  };
}
