import { ProviderError } from '../../core/errors.js';
import { redactUrl, splitUserinfo } from '../../core/redact-url.js';
import type { Reranker } from '../../core/ports/reranker.js';

/** Options for {@link createTeiReranker}. */
export interface TeiRerankerOptions {
  /** The TEI server root (`http://host:8080`) or its `/rerank` route; a trailing slash is fine. */
  url: string;
  /**
   * Sent as `Authorization: Bearer …` (HF Inference Endpoints need it; a plain TEI container does not). The
   * factory decides which token (RERANK_TOKEN, or HF_TOKEN only for a Hugging Face https host).
   */
  token?: string;
  /** Per request. Default 15 s. */
  timeoutMs?: number;
  /**
   * Passages per request. TEI refuses requests with more texts than its `--max-client-batch-size`
   * (default 32) with 413, so longer lists are split. Default 32.
   */
  batchSize?: number;
}

const HINT = 'Check RERANK_URL (a TEI server with a reranker model, e.g. BAAI/bge-reranker-base), or set RERANKER=none.';

/** `http://h/`, `http://h/rerank` and `http://h/rerank/` all mean the same route. */
export function teiRerankEndpoint(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  return trimmed.endsWith('/rerank') ? trimmed : `${trimmed}/rerank`;
}

/**
 * A Text Embeddings Inference (TEI) compatible `/rerank` endpoint: POST {query, texts} → [{index, score}].
 * TEI serves cross-encoders such as BAAI/bge-reranker-base; the HF Inference API does not rerank.
 * TEI answers in score order, so scores are put back in passage order by `index`.
 */
export function createTeiReranker(opts: TeiRerankerOptions): Reranker {
  // `user:pass@` in RERANK_URL becomes a Basic header (fetch refuses such URLs); messages and the id show the
  // redacted URL, since both reach logs and the status page.
  const { url: endpoint, authorization: basic } = splitUserinfo(teiRerankEndpoint(opts.url));
  const shown = redactUrl(teiRerankEndpoint(opts.url));
  const authorization = opts.token ? `Bearer ${opts.token}` : basic;
  const batchSize = Math.max(1, opts.batchSize ?? 32);
  const timeoutMs = opts.timeoutMs ?? 15_000;

  const scoreBatch = async (query: string, passages: string[]): Promise<number[]> => {
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        // truncate: long passages are cut to the model's window instead of failing the whole request.
        body: JSON.stringify({ query, texts: passages, truncate: true, raw_scores: false }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      // An unparsable URL (e.g. RERANK_URL unset) throws TypeError before any I/O: retrying cannot help.
      const badUrl = err instanceof TypeError && /invalid url|failed to parse url/i.test(`${err.message} ${String(err.cause ?? '')}`);
      const reason = err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
      throw new ProviderError('tei-reranker', `cannot reach ${shown}: ${reason}`, { transient: !badUrl, cause: err, hint: HINT });
    }
    if (!res.ok) {
      // TEI explains refusals in `{ error, error_type }`; the text is what the operator needs to see.
      const detail = (await res.text().catch(() => '')).slice(0, 300);
      throw new ProviderError('tei-reranker', `HTTP ${res.status} from ${shown}${detail ? `: ${detail}` : ''}`, {
        transient: res.status === 408 || res.status === 429 || res.status >= 500,
        ...(res.status === 401 || res.status === 403 ? { hint: 'Check RERANK_TOKEN (or HF_TOKEN for a Hugging Face endpoint): the endpoint refused the credentials.' } : { hint: HINT }),
      });
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      throw new ProviderError('tei-reranker', `invalid JSON from ${shown}`, { cause: err, transient: true });
    }
    if (!Array.isArray(body)) throw new ProviderError('tei-reranker', `unexpected response from ${shown}: not a list`, { hint: HINT });
    const scores = new Array<number | undefined>(passages.length).fill(undefined);
    for (const r of body as Array<{ index?: unknown; score?: unknown }>) {
      if (typeof r?.index === 'number' && Number.isInteger(r.index) && r.index >= 0 && r.index < scores.length && typeof r.score === 'number') {
        scores[r.index] = r.score;
      }
    }
    // A missing score would otherwise surface as NaN/-Infinity far away in the ranking; fail here instead.
    const missing = scores.findIndex((s) => s === undefined);
    if (missing >= 0) {
      throw new ProviderError('tei-reranker', `response from ${shown} has no score for passage ${missing} of ${passages.length}`, { hint: HINT });
    }
    return scores as number[];
  };

  return {
    id: `tei:${shown}`,
    async score(query, passages) {
      if (passages.length === 0) return [];
      const out: number[] = [];
      for (let i = 0; i < passages.length; i += batchSize) out.push(...(await scoreBatch(query, passages.slice(i, i + batchSize))));
      return out;
    },
  };
}
