/**
 * A loopback stand-in for Hugging Face Text Embeddings Inference (TEI) serving a cross-encoder, speaking
 * the `/rerank` route the TEI reranker calls:
 *
 *   POST /rerank {query, texts, truncate?, raw_scores?, return_text?} → [{index, score}] sorted by score desc
 *
 * Like the real server it answers in score order, not input order, so a client that forgot to map `index`
 * back gets the scores shuffled. Validation errors use TEI's shape `{ error, error_type }`: 422 for an empty
 * `texts`, 413 when more texts than `--max-client-batch-size` (default 32) arrive in one request.
 *
 * Scoring is deterministic and easy to predict: the number of distinct query words (lower-cased,
 * alphanumeric runs) that occur in the text; `raw_scores: false` (TEI's default) squashes that through a
 * sigmoid as TEI does for single-logit models.
 */
import { sendJson, startRouteServer, type RouteServer } from './route-server.js';

export interface FakeTeiServerOptions {
  /** TEI's `--max-client-batch-size`: more texts in one request are refused with 413. Default 32. */
  maxBatchSize?: number;
}

/** One `/rerank` body as the fake received it. */
export interface TeiRerankRequest {
  query: string;
  texts: string[];
  truncate?: boolean;
  raw_scores?: boolean;
}

export interface FakeTeiServer extends RouteServer {
  maxBatchSize: number;
  /** The bodies of every `/rerank` call, in arrival order. */
  rerankCalls(): TeiRerankRequest[];
}

const wordsOf = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/** The fake's raw score for one text: how many distinct query words it contains. Exported for tests. */
export function teiRawScore(query: string, text: string): number {
  const present = new Set(wordsOf(text));
  return new Set(wordsOf(query).filter((w) => present.has(w))).size;
}

/** The score the fake returns for one text with the given `raw_scores` flag (TEI's default is false). */
export function teiScore(query: string, text: string, rawScores = false): number {
  const raw = teiRawScore(query, text);
  return rawScores ? raw : 1 / (1 + Math.exp(-raw));
}

/** Starts the fake TEI server on loopback. Its `url` is the server root; the route is `${url}/rerank`. */
export async function startFakeTeiServer(opts: FakeTeiServerOptions = {}): Promise<FakeTeiServer> {
  const maxBatchSize = opts.maxBatchSize ?? 32;
  const base = await startRouteServer('fake-tei');

  base.route('GET', '/health', (_req, res) => sendJson(res, 200, {}), { failable: false });
  base.route('POST', '/rerank', (req, res) => {
    const body = req.body as Partial<TeiRerankRequest> | string;
    if (typeof body !== 'object' || body === null || typeof body.query !== 'string' || !Array.isArray(body.texts)) {
      return sendJson(res, 422, { error: 'Failed to deserialize the JSON body: missing field `query` or `texts`', error_type: 'Validation' });
    }
    if (!body.texts.every((t) => typeof t === 'string')) {
      return sendJson(res, 422, { error: '`texts` must be a list of strings', error_type: 'Validation' });
    }
    if (body.texts.length === 0) return sendJson(res, 422, { error: '`texts` cannot be empty', error_type: 'Validation' });
    if (body.texts.length > maxBatchSize) {
      return sendJson(res, 413, {
        error: `batch size ${body.texts.length} > maximum allowed batch size ${maxBatchSize}`,
        error_type: 'Validation',
      });
    }
    const query = body.query;
    const ranked = body.texts
      .map((text, index) => ({ index, score: teiScore(query, text, body.raw_scores ?? false) }))
      // Descending by score; ties keep input order (Array.prototype.sort is stable).
      .sort((a, b) => b.score - a.score);
    sendJson(res, 200, ranked);
  });

  return {
    ...base,
    maxBatchSize,
    rerankCalls: () => base.requests.filter((r) => r.method === 'POST' && r.path.split('?')[0] === '/rerank').map((r) => r.body as TeiRerankRequest),
  };
}
