/**
 * Answers through Hugging Face chat completion (the Inference Providers router, or a dedicated Inference
 * Endpoint / TGI server), streamed with @huggingface/inference's `chatCompletionStream`.
 *
 * Client facts this file relies on (v4.13):
 * - without `endpointUrl` and with provider unset/`auto`, it POSTs straight to
 *   `https://router.huggingface.co/v1/chat/completions` (no hub look-up) and insists on an `hf_…` token;
 *   with a named provider it first asks the hub for the model's provider mapping;
 * - with `endpointUrl` it POSTs to `<endpointUrl>/v1/chat/completions` (or `<endpointUrl>/chat/completions`
 *   when the URL already ends in `/v1`), and `provider` must not be set;
 * - it retries a 503 immediately and forever unless `retry_on_error: false` (we retry ourselves);
 * - a stream that ends without `[DONE]` ends its iterator silently: the chunks' `finish_reason` (chat-parts.ts)
 *   is what says the answer is complete; it throws a SyntaxError on a malformed event.
 */
import { InferenceClient, type InferenceProviderOrPolicy } from '@huggingface/inference';
import { ProviderError } from '../../core/errors.js';
import { chatCompletionParts } from './chat-parts.js';
import type { GenerationPart, GenerationRequest, Generator } from '../../core/ports/generator.js';
import { createStreamGuard, toGeneratorError } from './sse.js';

/** Options for `createHfChatGenerator`. */
export interface HfChatGeneratorOptions {
  /** Hub model id, e.g. `meta-llama/Llama-3.1-8B-Instruct` (a `:provider` suffix is passed on to the router). */
  model: string;
  /** HF token (`hf_…`), or an endpoint's key when `endpointUrl` is set; sent as `Authorization: Bearer`. */
  token: string;
  /** A dedicated endpoint (Inference Endpoints, TGI). When set, requests go there instead of the router. */
  endpointUrl?: string;
  /** An Inference Provider (`together`, `hf-inference`, …) or `auto` (default: the router picks). Not with `endpointUrl`. */
  provider?: string;
  /** Replaces global fetch (proxies; tests use it to redirect the HF hosts to a loopback fake). */
  fetch?: typeof fetch;
  /** Give up when the server sends nothing for this long (before the first token or between tokens). Default 60 s. */
  idleTimeoutMs?: number;
}

/**
 * Creates a generator backed by HF chat completion. Nothing is sent until `stream` is called.
 * @throws ProviderError at once when the options cannot work (endpoint + provider, router without an hf_ token).
 */
export function createHfChatGenerator(opts: HfChatGeneratorOptions): Generator {
  const id = `hf:${opts.model}`;
  const where = opts.endpointUrl ?? `HF Inference (${opts.model})`;
  const provider = opts.provider && opts.provider !== 'auto' ? opts.provider : undefined;
  if (opts.endpointUrl && provider) {
    throw new ProviderError(id, `a provider (${provider}) cannot be combined with an endpoint URL`, {
      hint: 'Unset the HF provider when HF_ENDPOINT_URL is set.',
    });
  }
  if (!opts.endpointUrl && !provider && !opts.token.startsWith('hf_')) {
    // The client refuses the auto-router without an hf_ token; say so before the first question.
    throw new ProviderError(id, 'the HF router needs a Hugging Face token (hf_…)', { hint: 'Set HF_TOKEN to a token with Inference permission.' });
  }
  const idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;

  return {
    id,
    async *stream(request: GenerationRequest, signal: AbortSignal): AsyncIterable<GenerationPart> {
      const guard = createStreamGuard({ framing: 'sse', signal, idleTimeoutMs, fetch: opts.fetch });
      // One client per answer: cheap, and its fetch carries this request's guard.
      const client = new InferenceClient(opts.token, {
        retry_on_error: false,
        fetch: guard.fetch,
        ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}),
      });
      try {
        const chunks = client.chatCompletionStream(
          {
            model: opts.model,
            // The client's message type has an index signature our ChatMessage lacks; the shapes match.
            messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
            max_tokens: request.maxTokens,
            temperature: request.temperature,
            ...(provider ? { provider: provider as InferenceProviderOrPolicy } : {}),
          },
          { signal: guard.signal },
        );
        // No finish reason: the stream was cut (the port's signal for it), unless we aborted it or it was no stream.
        if (!(yield* chatCompletionParts(chunks))) guard.checkEnded();
      } catch (e) {
        throw toGeneratorError(e, {
          id,
          where,
          guard,
          callerSignal: signal,
          status: (e as { httpResponse?: { status?: number } }).httpResponse?.status,
          authHint: 'Check HF_TOKEN (a token with Inference permission) or the endpoint key.',
          notFoundHint: `Check the model id ${opts.model} and that an Inference Provider serves it (or HF_ENDPOINT_URL).`,
          unreachableHint: 'Check the network or HF_ENDPOINT_URL; the next generator in the chain will answer meanwhile.',
          secrets: [opts.token],
        });
      } finally {
        guard.release();
      }
    },
  };
}
