/**
 * Embeddings from an Ollama server (`POST /api/embed`, batch input) through the `ollama` npm client.
 *
 * The client's `embed()` takes no AbortSignal, so the timeout is applied by handing it a `fetch` that adds
 * one. Its errors are `ResponseError { status_code }` for HTTP failures and undici's `TypeError: fetch
 * failed` when nothing listens — both mapped to ProviderError here.
 */
import { Ollama } from 'ollama';
import { ProviderError } from '../../core/errors.js';
import type { Embedder } from '../../core/ports/embedder.js';
import { embedInBatches, normalize } from './vectors.js';

export const DEFAULT_OLLAMA_EMBED_MODEL = 'nomic-embed-text';

export interface OllamaEmbedderOptions {
  /** Server URL, e.g. `http://127.0.0.1:11434`. */
  host: string;
  /** An embedding model pulled on that server. Default `nomic-embed-text`. */
  model?: string;
  /** Texts per request. Default 32. */
  batchSize?: number;
  /** Per-request timeout; generous by default because the first call loads the model into memory. Default 60 s. */
  timeoutMs?: number;
}

const PROVIDER = 'ollama';

function toProviderError(e: unknown, host: string, model: string, timeoutMs: number): ProviderError {
  if (e instanceof ProviderError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const status = (e as { status_code?: unknown }).status_code;
  if (typeof status === 'number') {
    if (status === 404) {
      return new ProviderError(PROVIDER, `model ${model} is not available on ${host}: ${err.message}`, {
        cause: e,
        hint: `Run \`ollama pull ${model}\` on the Ollama host, or set OLLAMA_EMBED_MODEL to a model it has.`,
      });
    }
    return new ProviderError(PROVIDER, `${host} answered HTTP ${status}: ${err.message}`, {
      cause: e,
      transient: status === 408 || status === 429 || status >= 500,
    });
  }
  if (err.name === 'TimeoutError' || err.name === 'AbortError') {
    return new ProviderError(PROVIDER, `${host} did not answer within ${timeoutMs} ms`, { cause: e, transient: true });
  }
  if (err.name === 'TypeError' && /fetch failed/i.test(err.message)) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return new ProviderError(PROVIDER, `cannot reach Ollama at ${host} (${cause?.code ?? cause?.message ?? err.message})`, {
      cause: e,
      transient: true,
      hint: 'Start Ollama (`ollama serve`) or point OLLAMA_HOST at a running server.',
    });
  }
  return new ProviderError(PROVIDER, `${host}: ${err.message}`, { cause: e });
}

/**
 * Creates an embedder backed by an Ollama server. Makes one probe call before returning, so a stopped server
 * or a model that was never pulled fails at start-up, and `dimension` is the model's real output size.
 * @throws ProviderError (transient when the server is unreachable, overloaded or times out).
 */
export async function createOllamaEmbedder(opts: OllamaEmbedderOptions): Promise<Embedder> {
  const model = opts.model ?? DEFAULT_OLLAMA_EMBED_MODEL;
  const batchSize = Math.max(1, opts.batchSize ?? 32);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const timedFetch: typeof fetch = (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };
  const client = new Ollama({ host: opts.host, fetch: timedFetch });

  const embedBatch = async (texts: string[]): Promise<number[][]> => {
    let embeddings: unknown;
    try {
      ({ embeddings } = await client.embed({ model, input: texts }));
    } catch (e) {
      throw toProviderError(e, opts.host, model, timeoutMs);
    }
    if (!Array.isArray(embeddings) || embeddings.length !== texts.length) {
      throw new ProviderError(PROVIDER, `${opts.host} returned ${Array.isArray(embeddings) ? embeddings.length : 'no'} embeddings for ${texts.length} texts`);
    }
    // Ollama already normalises, but an OpenAI-compatible proxy in front of it may not.
    return (embeddings as number[][]).map((v) => normalize([...v]));
  };

  const probe = await embedBatch(['dimension probe']);
  const dimension = probe[0]!.length;
  if (dimension === 0) throw new ProviderError(PROVIDER, `${model} on ${opts.host} returned an empty vector; is it an embedding model?`);

  const checked = (vectors: number[][]): number[][] => {
    const bad = vectors.find((v) => v.length !== dimension);
    if (bad) throw new ProviderError(PROVIDER, `${opts.host} returned ${bad.length}-d vectors, expected ${dimension}-d`);
    return vectors;
  };

  return {
    id: `ollama:${model}`,
    dimension,
    embedDocuments: (texts) => embedInBatches(texts, batchSize, async (batch) => checked(await embedBatch(batch))),
    async embedQuery(text) {
      return checked(await embedBatch([text]))[0]!;
    },
  };
}
