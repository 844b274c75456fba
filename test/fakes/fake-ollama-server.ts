/**
 * A loopback stand-in for an Ollama server, speaking the HTTP API the `ollama` npm client uses:
 * - `POST /api/embed` `{ model, input: string | string[] }` → `{ model, embeddings: number[][], ... }`
 * - `GET /api/tags` (installed models) and `GET /api/version`, which health checks call.
 * - `POST /api/chat` `{ model, messages, stream, options: { temperature, num_predict } }` → NDJSON
 *   (`application/x-ndjson`): one `{ model, created_at, message: { role, content }, done: false }` line per
 *   token, then `{ ..., done: true, done_reason, eval_count, ... }`. Scripted per test through `chat`
 *   (chat-script.ts).
 * Errors use Ollama's shape `{ "error": "..." }`; an unknown model answers 404 like the real server
 * (`model "x" not found, try pulling it first`).
 *
 * Built on the shared route table (route-server.ts).
 */
import type { ServerResponse } from 'node:http';
import { createChatStage, type ChatStage, type ChatWire } from './chat-script.js';
import { fakeVector, sendJson, startRouteServer, type RouteServer } from './route-server.js';

export interface FakeOllamaServerOptions {
  /** Vector length. Default 8. */
  dimension?: number;
  /** Models the server "has" (embed, `/api/tags`). Default `['nomic-embed-text']`. Names match with or without `:latest`. */
  models?: string[];
  /**
   * Models `/api/chat` accepts (others get Ollama's 404). Default `['llama3.2:3b']`. Kept apart from `models`
   * so `/api/tags` stays as existing tests expect; pass both lists to make a health check see a chat model.
   */
  chatModels?: string[];
}

export interface FakeOllamaServer extends RouteServer {
  dimension: number;
  models: string[];
  chatModels: string[];
  /** The `input` texts of every embed call, one array per request. */
  embeddedInputs(): string[][];
  /** Scripted streaming chat: `chat.enqueue(script({...}))`, `chat.requests`, `chat.tokenTimes`. */
  chat: ChatStage;
}

const bare = (name: string) => name.replace(/:latest$/, '');

function unknownModel(models: string[], model: unknown, res: ServerResponse): boolean {
  if (typeof model === 'string' && models.some((m) => bare(m) === bare(model))) return false;
  sendJson(res, 404, { error: `model "${String(model)}" not found, try pulling it first` });
  return true;
}

/** Ollama's `/api/chat` NDJSON framing. */
function ollamaWire(models: string[]): ChatWire {
  const line = (model: string, content: string, extra: Record<string, unknown>) =>
    `${JSON.stringify({ model, created_at: new Date().toISOString(), message: { role: 'assistant', content }, ...extra })}\n`;
  return {
    contentType: 'application/x-ndjson',
    token: (text, _index, model) => line(model, text, { done: false }),
    end: (model, finishReason, tokens) =>
      line(model, '', {
        ...(finishReason === null ? {} : { done_reason: finishReason }),
        done: true,
        total_duration: 1_000_000,
        load_duration: 0,
        prompt_eval_count: 10,
        prompt_eval_duration: 100_000,
        eval_count: tokens,
        eval_duration: 500_000,
      }),
    garbage: '{"model":"x","message":{"role":"assistant","content":"tru\n',
    errorBody: (status) => ({ error: `fake-ollama: injected ${status}` }),
    fields: (b) => {
      const options = (b.options ?? {}) as Record<string, unknown>;
      return { model: b.model, messages: b.messages, maxTokens: options.num_predict, temperature: options.temperature, stream: b.stream };
    },
    precheck: (b, res) => unknownModel(models, b.model, res),
  };
}

/** Starts the fake Ollama server on loopback. */
export async function startFakeOllamaServer(opts: FakeOllamaServerOptions = {}): Promise<FakeOllamaServer> {
  const dimension = opts.dimension ?? 8;
  const models = opts.models ?? ['nomic-embed-text'];
  const chatModels = opts.chatModels ?? ['llama3.2:3b'];
  const base = await startRouteServer('fake-ollama');

  base.route('GET', '/api/version', (_req, res) => sendJson(res, 200, { version: '0.12.0' }), { failable: false });
  base.route(
    'GET',
    '/api/tags',
    (_req, res) =>
      sendJson(res, 200, {
        models: models.map((m) => ({ name: `${bare(m)}:latest`, model: `${bare(m)}:latest`, size: 274_302_450, details: { family: 'nomic-bert' } })),
      }),
    { failable: false },
  );
  base.route('POST', '/api/embed', (req, res) => {
    const body = req.body as { model?: unknown; input?: unknown };
    if (unknownModel(models, body.model, res)) return;
    const list = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) {
      return sendJson(res, 400, { error: 'invalid input type' });
    }
    // Ollama returns L2-normalised vectors; the fake returns raw ones so the client's normalising is tested.
    sendJson(res, 200, {
      model: body.model,
      embeddings: list.map((t) => fakeVector(t, dimension)),
      total_duration: 1_000_000,
      load_duration: 0,
      prompt_eval_count: list.length,
    });
  });

  const chat = createChatStage();
  base.route('POST', '/api/chat', chat.handler(ollamaWire(chatModels)));

  return {
    ...base,
    dimension,
    models,
    chatModels,
    chat,
    embeddedInputs: () =>
      base.requests
        .filter((r) => r.method === 'POST' && r.path.startsWith('/api/embed'))
        .map((r) => (r.body as { input?: unknown }).input)
        .map((i) => (typeof i === 'string' ? [i] : (i as string[]))),
  };
}
