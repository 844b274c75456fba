/**
 * Answers through any OpenAI-compatible chat-completions server (vLLM, TGI, LiteLLM, llama.cpp server,
 * institutional gateways, OpenAI itself), streamed with the official `openai` client.
 *
 * Why the `openai` package rather than fetch + an SSE parser: it is the reference client these servers are
 * tested against (headers, error bodies, `data: {"error": …}` events), and it is well kept. Its surprises,
 * handled here (v6.49; v7 needs Node 22):
 * - it reads OPENAI_API_KEY / OPENAI_ORG_ID / OPENAI_PROJECT_ID / OPENAI_ADMIN_KEY from the environment when
 *   an option is absent, which would leak an OpenAI key or org header to a local vLLM: we pass them all;
 * - it refuses to start without a key; a keyless local server gets a placeholder key whose header is removed;
 * - it retries twice by default (we retry in the generator chain): `maxRetries: 0`;
 * - it ends the iterator silently on an abort or a stream without `[DONE]`: sse.ts's guard tells an abort from
 *   a cut stream, and the chunks' `finish_reason` (chat-parts.ts) tells a complete answer from a cut one;
 * - it throws a SyntaxError on a malformed event (logged through its logger, which `logLevel: 'off'` silences).
 *
 * Base URL: `http://host:8000` (no path) means `http://host:8000/v1`, the path every one of these servers
 * uses; any other path (`…/v1`, `…/openai/v1`, `…/api`) is taken as the API root verbatim, and a pasted
 * `…/chat/completions` is trimmed. Query parameters (e.g. an `api-version`) are sent with every request.
 */
import OpenAI from 'openai';
import { chatCompletionParts } from './chat-parts.js';
import type { GenerationPart, GenerationRequest, Generator } from '../../core/ports/generator.js';
import { createStreamGuard, toGeneratorError } from './sse.js';

/** Options for `createOpenAiChatGenerator`. */
export interface OpenAiChatGeneratorOptions {
  /** Server URL, with or without `/v1` (see the module comment). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; omit for servers without auth (no Authorization header is sent). */
  apiKey?: string;
  /** Model name as the server knows it, e.g. `meta-llama/Llama-3.1-8B-Instruct` or `gpt-4o-mini`. */
  model: string;
  /** Replaces global fetch (proxies, tests). */
  fetch?: typeof fetch;
  /** Extra headers for gateways (e.g. `api-key`, tenant ids). */
  headers?: Record<string, string>;
  /** Give up when the server sends nothing for this long (before the first token or between tokens). Default 60 s. */
  idleTimeoutMs?: number;
}

/** The API root the client appends `/chat/completions` to, plus query parameters to keep. */
export function openAiApiRoot(baseUrl: string): { root: string; query: Record<string, string> } {
  const url = new URL(baseUrl);
  let path = url.pathname.replace(/\/+$/, '').replace(/\/chat\/completions$/, '');
  if (path === '') path = '/v1';
  return { root: `${url.origin}${path}`, query: Object.fromEntries(url.searchParams) };
}

const statusOf = (e: unknown) => {
  const status = (e as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
};

/** Creates a generator for an OpenAI-compatible server. Nothing is sent until `stream` is called. */
export function createOpenAiChatGenerator(opts: OpenAiChatGeneratorOptions): Generator {
  const { root, query } = openAiApiRoot(opts.baseUrl);
  const origin = new URL(root).origin;
  const id = `openai:${opts.model}@${origin}`;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;

  return {
    id,
    async *stream(request: GenerationRequest, signal: AbortSignal): AsyncIterable<GenerationPart> {
      const guard = createStreamGuard({ framing: 'sse', signal, idleTimeoutMs, fetch: opts.fetch });
      const client = new OpenAI({
        baseURL: root,
        apiKey: opts.apiKey ?? 'no-key',
        adminAPIKey: null,
        organization: null,
        project: null,
        maxRetries: 0,
        logLevel: 'off',
        fetch: guard.fetch,
        defaultQuery: query,
        // A null value removes the header the placeholder key would have added.
        defaultHeaders: { ...opts.headers, ...(opts.apiKey ? {} : { Authorization: null }) },
      });
      try {
        const chunks = await client.chat.completions.create(
          {
            model: opts.model,
            messages: request.messages,
            stream: true,
            // `max_tokens`, not `max_completion_tokens`: every compatible server accepts it.
            max_tokens: request.maxTokens,
            temperature: request.temperature,
          },
          { signal: guard.signal },
        );
        // No finish reason: the stream was cut (the port's signal for it), unless we aborted it or it was no stream.
        if (!(yield* chatCompletionParts(chunks))) guard.checkEnded();
      } catch (e) {
        throw toGeneratorError(e, {
          id,
          where: origin,
          // A gateway that echoes the key in its error body must not put it in a note or a log line.
          ...(opts.apiKey ? { secrets: [opts.apiKey] } : {}),
          guard,
          callerSignal: signal,
          status: statusOf(e),
          authHint: 'Check the API key (OPENAI_API_KEY or the gateway key) for this server.',
          notFoundHint: `Check the model name ${opts.model} and the base URL ${root} (the server must serve ${root}/chat/completions).`,
          unreachableHint: 'Check that the server is running and the base URL; the next generator in the chain will answer meanwhile.',
        });
      } finally {
        guard.release();
      }
    },
  };
}
