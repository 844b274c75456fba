/**
 * Answers through an Ollama server (`POST /api/chat`, NDJSON stream) with the `ollama` npm client.
 *
 * Client facts this file relies on (v0.6.4):
 * - `chat({ stream: true })` returns an iterator whose `abort()` aborts only that request, but
 *   `client.abort()` aborts every stream of the instance, and neither takes an AbortSignal: we create one
 *   client per answer and hand it a `fetch` that adds our signal, so the caller's abort stops the request;
 * - it skips a malformed NDJSON line with a `console.warn` and carries on; sse.ts's guard reports it;
 * - HTTP failures are `ResponseError { status_code }` (404 `model "x" not found, try pulling it first`),
 *   an unreachable server is undici's `TypeError: fetch failed`, and a stream that ends without
 *   `"done": true` throws `Did not receive done or success response in stream.`, which here means a cut
 *   stream (the port's signal for it is ending without a finish part), not a failure;
 * - the last message has `done: true` and `done_reason` (`stop`, `length`, `load`, `unload`).
 */
import { Ollama } from 'ollama';
import { toFinishReason } from './chat-parts.js';
import type { GenerationPart, GenerationRequest, Generator } from '../../core/ports/generator.js';
import { createStreamGuard, toGeneratorError } from './sse.js';

/** How ollama-js's error for a stream without `done: true` starts (see above). */
const NO_DONE = 'Did not receive done';

/** Small enough for a laptop CPU, good enough at citing passages. */
export const DEFAULT_OLLAMA_CHAT_MODEL = 'llama3.2:3b';

/** Options for `createOllamaChatGenerator`. */
export interface OllamaChatGeneratorOptions {
  /** Server URL, e.g. `http://127.0.0.1:11434`. */
  host: string;
  /** A chat model pulled on that server. Default `llama3.2:3b`. */
  model?: string;
  /**
   * Give up when the server sends nothing for this long. Generous by default (180 s): on a CPU the first
   * token waits for the model to load and for the whole prompt (with its passages) to be evaluated.
   */
  idleTimeoutMs?: number;
  /** Replaces global fetch (proxies, tests). */
  fetch?: typeof fetch;
}

/** Creates a generator backed by an Ollama server. Nothing is sent until `stream` is called. */
export function createOllamaChatGenerator(opts: OllamaChatGeneratorOptions): Generator {
  const model = opts.model ?? DEFAULT_OLLAMA_CHAT_MODEL;
  const id = `ollama:${model}`;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 180_000;

  return {
    id,
    async *stream(request: GenerationRequest, signal: AbortSignal): AsyncIterable<GenerationPart> {
      const guard = createStreamGuard({ framing: 'ndjson', signal, idleTimeoutMs, fetch: opts.fetch });
      const client = new Ollama({ host: opts.host, fetch: guard.fetch });
      try {
        const parts = await client.chat({
          model,
          messages: request.messages,
          stream: true,
          options: { temperature: request.temperature, num_predict: request.maxTokens },
        });
        for await (const part of parts) {
          // `thinking` (reasoning models) is not part of the answer.
          const text = part.message?.content;
          if (typeof text === 'string' && text !== '') yield { type: 'text', text };
          if (part.done) {
            // Servers before done_reason existed (early 2024) only said done: a natural end then.
            yield { type: 'finish', reason: part.done_reason ? toFinishReason(part.done_reason) : 'stop' };
            return;
          }
        }
        guard.checkEnded();
      } catch (e) {
        // The server closed the response without `done: true`: a cut stream, reported by ending without a finish.
        if (guard.bodyEnded && !guard.signal.aborted && e instanceof Error && e.message.startsWith(NO_DONE)) return;
        const status = (e as { status_code?: unknown } | null)?.status_code;
        throw toGeneratorError(e, {
          id,
          where: opts.host,
          guard,
          callerSignal: signal,
          status: typeof status === 'number' ? status : undefined,
          authHint: 'The Ollama server (or a proxy in front of it) refused the request; check its auth settings.',
          notFoundHint: `Run \`ollama pull ${model}\` on the Ollama host, or set the Ollama chat model to one it has.`,
          unreachableHint: 'Start Ollama (`ollama serve`) or point OLLAMA_HOST at a running server.',
        });
      } finally {
        guard.release();
      }
    },
  };
}
