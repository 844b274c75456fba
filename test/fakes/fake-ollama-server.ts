/**
 * A loopback stand-in for an Ollama server, speaking the HTTP API the `ollama` npm client uses:
 * - `POST /api/embed` `{ model, input: string | string[] }` → `{ model, embeddings: number[][], ... }`
 * - `GET /api/tags` (installed models) and `GET /api/version`, which health checks call.
 * Errors use Ollama's shape `{ "error": "..." }`; an unknown model answers 404 like the real server
 * (`model "x" not found, try pulling it first`).
 *
 * Built on the shared route table (route-server.ts) so chat (`POST /api/chat`, NDJSON) can be added later.
 */
import { fakeVector, sendJson, startRouteServer, type RouteServer } from './route-server.js';

export interface FakeOllamaServerOptions {
  /** Vector length. Default 8. */
  dimension?: number;
  /** Models the server "has". Default `['nomic-embed-text']`. Names match with or without `:latest`. */
  models?: string[];
}

export interface FakeOllamaServer extends RouteServer {
  dimension: number;
  models: string[];
  /** The `input` texts of every embed call, one array per request. */
  embeddedInputs(): string[][];
}

const bare = (name: string) => name.replace(/:latest$/, '');

/** Starts the fake Ollama server on loopback. */
export async function startFakeOllamaServer(opts: FakeOllamaServerOptions = {}): Promise<FakeOllamaServer> {
  const dimension = opts.dimension ?? 8;
  const models = opts.models ?? ['nomic-embed-text'];
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
    if (typeof body.model !== 'string' || !models.some((m) => bare(m) === bare(body.model as string))) {
      return sendJson(res, 404, { error: `model "${String(body.model)}" not found, try pulling it first` });
    }
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

  return {
    ...base,
    dimension,
    models,
    embeddedInputs: () =>
      base.requests
        .filter((r) => r.method === 'POST' && r.path.startsWith('/api/embed'))
        .map((r) => (r.body as { input?: unknown }).input)
        .map((i) => (typeof i === 'string' ? [i] : (i as string[]))),
  };
}
