/**
 * A loopback stand-in for the Hugging Face hub + Inference router + a dedicated Inference Endpoint, speaking
 * the wire protocol @huggingface/inference really uses, so tests run the real client.
 *
 * Routes the client calls (found by pointing it here and logging paths):
 * - `GET  /api/models/<owner>/<name>?expand[]=inferenceProviderMapping` — the client resolves the provider
 *   mapping on huggingface.co before any router call (skipped when `endpointUrl` is set);
 * - `POST /hf-inference/models/<owner>/<name>/pipeline/feature-extraction` — the router path for provider
 *   `hf-inference`;
 * - `POST /` (or any other POST path) — a dedicated endpoint: with `endpointUrl` the client POSTs to the URL
 *   verbatim, body `{ "inputs": [...] }`.
 *
 * - `POST …/chat/completions` — OpenAI-style streaming chat completion (`text/event-stream`, `data: {chunk}`
 *   lines, a last chunk with `finish_reason` and usage, then `data: [DONE]`): the router path `/v1/chat/completions` (provider `auto`), a dedicated
 *   endpoint's `<endpoint>/v1/chat/completions`, and any OpenAI-compatible server's path. Scripted per test
 *   through `chat` (chat-script.ts); the same route serves the OpenAI-compatible generator's tests.
 *
 * The hub and router hosts are hard-coded in the client; `hubFetch` is a `fetch` that rewrites them to this
 * server, passed to the client through its `fetch` option.
 *
 * The generic route table lives in route-server.ts (shared with the Ollama and TEI fakes).
 */
import { createChatStage, type ChatStage, type ChatWire } from './chat-script.js';
import { fakeVector, sendJson, startRouteServer, type RouteHandler, type RouteServer } from './route-server.js';

// Re-exported so existing imports from this module keep working after the move to route-server.ts.
export { fakeVector, sendJson, startRouteServer, type RecordedRequest, type RouteHandler, type RouteServer } from './route-server.js';

export interface FakeHfServerOptions {
  /** Vector length. Default 8. */
  dimension?: number;
  /**
   * Answer like a model without a pooling layer: one vector per whitespace-separated word per input
   * (`number[][][]`), which the client must mean-pool. Default false (`number[][]`, sentence-transformers).
   */
  tokenLevel?: boolean;
}

export interface FakeHfServer extends RouteServer {
  dimension: number;
  /** A `fetch` that sends huggingface.co and router.huggingface.co requests here instead. */
  hubFetch: typeof fetch;
  /** The texts of every feature-extraction call, one array per request. */
  embeddedInputs(): string[][];
  /** Scripted streaming chat completions: `chat.enqueue(script({...}))`, `chat.requests`, `chat.tokenTimes`. */
  chat: ChatStage;
}

/** OpenAI chat-completion chunks as Server-Sent Events, as TGI, vLLM and the HF router send them. */
export const openAiSseWire: ChatWire = {
  contentType: 'text/event-stream',
  token: (text, index, model) =>
    sse({
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, delta: index === 0 ? { role: 'assistant', content: text } : { content: text }, logprobs: null, finish_reason: null }],
    }),
  end: (model, finishReason, tokens) =>
    (finishReason === null ? '' : sse({
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }],
      usage: { prompt_tokens: 10, completion_tokens: tokens, total_tokens: 10 + tokens },
    })) + 'data: [DONE]\n\n',
  garbage: 'data: {"id":"chatcmpl-fake","choices":[{"delta":{"content":"tru\n\n',
  errorBody: (status) => ({ error: { message: `fake-hf: injected ${status}`, type: status >= 500 ? 'server_error' : 'invalid_request_error' } }),
  fields: (b) => ({ model: b.model, messages: b.messages, maxTokens: b.max_tokens, temperature: b.temperature, stream: b.stream }),
};

function sse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

function featureExtraction(dimension: number, tokenLevel: boolean): RouteHandler {
  return (req, res) => {
    const inputs = (req.body as { inputs?: unknown })?.inputs;
    const list = typeof inputs === 'string' ? [inputs] : inputs;
    if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) {
      return sendJson(res, 422, { error: 'inputs must be a string or a list of strings' });
    }
    const embed = (t: string) => (tokenLevel ? t.split(/\s+/).filter(Boolean).map((w) => fakeVector(w, dimension)) : fakeVector(t, dimension));
    // A single string in gives a single vector out, as the real API does.
    sendJson(res, 200, typeof inputs === 'string' ? embed(inputs) : list.map(embed));
  };
}

/** Starts the fake HF hub/router/endpoint on loopback. */
export async function startFakeHfServer(opts: FakeHfServerOptions = {}): Promise<FakeHfServer> {
  const dimension = opts.dimension ?? 8;
  const base = await startRouteServer('fake-hf');
  const embedding = featureExtraction(dimension, opts.tokenLevel ?? false);

  // Dedicated endpoints (TEI, Inference Endpoints) take POSTs at their root; registered first so that the
  // specific routes below win.
  base.route('POST', /^\/.*$/, embedding);
  base.route('POST', /^\/(?:hf-inference\/)?models\/(.+)\/pipeline\/(?:feature-extraction|sentence-similarity)$/, embedding);
  base.route(
    'GET',
    /^\/api\/models\/(.+)$/,
    (_req, res, m) =>
      sendJson(res, 200, {
        id: m[1],
        inferenceProviderMapping: { 'hf-inference': { status: 'live', providerId: m[1], task: 'feature-extraction' } },
      }),
    { failable: false },
  );

  // Registered after the catch-all POST above so that chat wins on any `…/chat/completions` path.
  const chat = createChatStage();
  base.route('POST', /^(?:\/.*)?\/chat\/completions$/, chat.handler(openAiSseWire));

  const hubFetch: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const rewritten = url.replace(/^https:\/\/(?:router\.)?huggingface\.co/, base.url);
    return fetch(rewritten, init);
  };

  return {
    ...base,
    dimension,
    hubFetch,
    chat,
    embeddedInputs: () =>
      base.requests
        .filter((r) => r.method === 'POST' && !r.path.split('?')[0]!.endsWith('/chat/completions'))
        .map((r) => (r.body as { inputs?: unknown }).inputs)
        .map((i) => (typeof i === 'string' ? [i] : (i as string[]))),
  };
}
