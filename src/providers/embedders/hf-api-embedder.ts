/**
 * Embeddings from the Hugging Face Inference API (provider `hf-inference`) or a dedicated Inference
 * Endpoint / TEI server, through @huggingface/inference's `featureExtraction`.
 *
 * Client facts this file relies on (v4):
 * - without `endpointUrl` the client first GETs `https://huggingface.co/api/models/<id>?expand[]=inferenceProviderMapping`
 *   (cached per process), then POSTs `{ inputs }` to `https://router.huggingface.co/hf-inference/models/<id>/pipeline/feature-extraction`;
 * - with `endpointUrl` it POSTs to that URL verbatim, and `provider` must NOT be passed (it throws);
 * - by default it retries a 503 immediately and without limit, which would hang the indexer while a model
 *   loads — we turn that off (`retry_on_error: false`) and report 503 as a transient ProviderError instead.
 */
import { InferenceClient } from '@huggingface/inference';
import { ProviderError } from '../../core/errors.js';
import type { Embedder } from '../../core/ports/embedder.js';
import { embedInBatches, normalize } from './vectors.js';

export interface HfApiEmbedderOptions {
  /** Hub model id, e.g. `sentence-transformers/all-MiniLM-L6-v2`. Also names the embedder when `endpointUrl` is set. */
  model: string;
  /** HF token (`hf_…`) or an endpoint's key; sent as `Authorization: Bearer`. */
  token?: string;
  /** A dedicated endpoint (Inference Endpoints, TEI). When set, requests go there instead of the router. */
  endpointUrl?: string;
  /** Texts per request. The serverless API accepts small batches; default 32. */
  batchSize?: number;
  /** Per-request timeout. Default 30 s (a cold serverless model can take a while). */
  timeoutMs?: number;
  /** Replaces global fetch (proxies; tests use it to redirect huggingface.co to a loopback fake). */
  fetch?: typeof fetch;
}

const PROVIDER = 'hf-api';

/** HTTP statuses worth retrying later: rate limits, timeouts, overloaded or loading models. */
function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Maps whatever the client threw to a ProviderError; `where` says which host was being called. */
function toProviderError(e: unknown, where: string, timeoutMs: number): ProviderError {
  if (e instanceof ProviderError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const status = (e as { httpResponse?: { status?: unknown } }).httpResponse?.status;
  if (typeof status === 'number') {
    const auth = status === 401 || status === 403;
    return new ProviderError(PROVIDER, `${where} answered HTTP ${status}: ${err.message}`, {
      cause: e,
      transient: isTransientStatus(status),
      ...(auth ? { hint: 'Check HF_TOKEN (a token with Inference permission) or the endpoint key.' } : {}),
    });
  }
  if (err.name === 'TimeoutError' || err.name === 'AbortError') {
    return new ProviderError(PROVIDER, `${where} did not answer within ${timeoutMs} ms`, { cause: e, transient: true });
  }
  const causeText = String((err as { cause?: unknown }).cause ?? '');
  if (err.name === 'TypeError' && /fetch failed/i.test(err.message)) {
    return new ProviderError(PROVIDER, `cannot reach ${where}: ${causeText || err.message}`, {
      cause: e,
      transient: true,
      hint: 'Check the network, HF_ENDPOINT_URL, or set EMBEDDER=transformers to embed locally.',
    });
  }
  // Input/routing/output errors from the client: retrying the same call will not help.
  return new ProviderError(PROVIDER, `${where}: ${err.message}`, { cause: e });
}

/** Element-wise mean of token vectors: what a pooling layer would have done server-side. */
function meanPool(tokens: number[][]): number[] {
  const dim = tokens[0]?.length ?? 0;
  const out = new Array<number>(dim).fill(0);
  for (const t of tokens) for (let i = 0; i < dim; i++) out[i]! += t[i]!;
  return out.map((x) => x / Math.max(1, tokens.length));
}

const isNumbers = (x: unknown): x is number[] => Array.isArray(x) && x.length > 0 && x.every((n) => typeof n === 'number');
const isMatrix = (x: unknown): x is number[][] => Array.isArray(x) && x.length > 0 && x.every(isNumbers);

/**
 * One sentence vector per input from any of the shapes the API returns for a list of n inputs:
 * `number[n][d]` (pooled), `number[n][tokens][d]` (token-level: we mean-pool), or — from some endpoints for
 * a single input — a bare `number[d]` or `number[1][tokens][d]`.
 */
export function sentenceVectors(output: unknown, n: number): number[][] {
  if (n === 1 && isNumbers(output)) return [output];
  if (n === 1 && isMatrix(output) && output.length > 1) return [meanPool(output)];
  if (!Array.isArray(output) || output.length !== n) {
    throw new Error(`expected ${n} embeddings, got ${Array.isArray(output) ? output.length : typeof output}`);
  }
  return output.map((item: unknown) => {
    if (isNumbers(item)) return item;
    if (isMatrix(item)) return meanPool(item);
    if (Array.isArray(item) && item.length === 1 && isMatrix(item[0])) return meanPool(item[0]);
    throw new Error('unrecognised feature-extraction output shape');
  });
}

/**
 * Creates an embedder backed by the HF Inference API or a dedicated endpoint. Embeds a probe string before
 * returning, so a wrong model, token or URL fails at start-up and `dimension` is the real one.
 * @throws ProviderError (transient for 429/5xx/timeouts/unreachable hosts).
 */
export async function createHfApiEmbedder(opts: HfApiEmbedderOptions): Promise<Embedder> {
  const batchSize = Math.max(1, opts.batchSize ?? 32);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const client = new InferenceClient(opts.token ?? '', {
    retry_on_error: false,
    ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const where = opts.endpointUrl ?? `HF Inference (${opts.model})`;

  const embedBatch = async (texts: string[]): Promise<number[][]> => {
    let output: unknown;
    try {
      output = await client.featureExtraction(
        // The client rejects provider + endpointUrl together; the router needs the provider named.
        opts.endpointUrl ? { model: opts.model, inputs: texts } : { model: opts.model, inputs: texts, provider: 'hf-inference' },
        { signal: AbortSignal.timeout(timeoutMs) },
      );
    } catch (e) {
      throw toProviderError(e, where, timeoutMs);
    }
    try {
      return sentenceVectors(output, texts.length).map((v) => normalize([...v]));
    } catch (e) {
      throw new ProviderError(PROVIDER, `${where} returned an unexpected response: ${(e as Error).message}`, { cause: e });
    }
  };

  const probe = await embedBatch(['dimension probe']);
  const dimension = probe[0]!.length;

  const checked = (vectors: number[][]): number[][] => {
    // A model swapped behind an endpoint must not write vectors of another size into the index.
    const bad = vectors.find((v) => v.length !== dimension);
    if (bad) throw new ProviderError(PROVIDER, `${where} returned ${bad.length}-d vectors, expected ${dimension}-d`);
    return vectors;
  };

  return {
    id: `hf-api:${opts.model}`,
    dimension,
    embedDocuments: (texts) => embedInBatches(texts, batchSize, async (batch) => checked(await embedBatch(batch))),
    async embedQuery(text) {
      return checked(await embedBatch([text]))[0]!;
    },
  };
}
