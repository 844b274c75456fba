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
 * The hub and router hosts are hard-coded in the client; `hubFetch` is a `fetch` that rewrites them to this
 * server, passed to the client through its `fetch` option.
 *
 * The route table (`route()`) and `startRouteServer` are generic so chat-completion (SSE) routes can be
 * added later; the Ollama fake reuses `startRouteServer`.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake saw it. Header names are lower-case (node:http). */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body is JSON, else the raw text ('' for none). */
  body: unknown;
}

export type RouteHandler = (req: RecordedRequest, res: ServerResponse, match: RegExpMatchArray) => void | Promise<void>;

interface Route {
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
  /** Whether `failNext` applies (metadata routes stay healthy so a test targets the real call). */
  failable: boolean;
}

/** A running loopback HTTP server with a route table, request log and failure injection. */
export interface RouteServer {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  requests: RecordedRequest[];
  /** Answer the next `n` requests on failable routes with `status` and a JSON `{ error }` body. */
  failNext(status: number, n?: number, body?: unknown, headers?: Record<string, string>): void;
  /** Add (or override, later wins) a route. `pattern` matches the path without the query string. */
  route(method: string, pattern: RegExp | string, handler: RouteHandler, opts?: { failable?: boolean }): void;
  close(): Promise<void>;
}

/** Writes a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Starts an empty route server on 127.0.0.1 with an ephemeral port. */
export async function startRouteServer(name: string): Promise<RouteServer> {
  const routes: Route[] = [];
  const requests: RecordedRequest[] = [];
  const failures: { status: number; body: unknown; headers: Record<string, string> }[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: await readBody(req) };
      requests.push(recorded);
      // Later routes win so a test can override a default handler.
      for (let i = routes.length - 1; i >= 0; i--) {
        const r = routes[i]!;
        const match = r.method === recorded.method ? path.match(r.pattern) : null;
        if (!match) continue;
        const failure = r.failable ? failures.shift() : undefined;
        if (failure) return sendJson(res, failure.status, failure.body, failure.headers);
        return await r.handler(recorded, res, match);
      }
      sendJson(res, 404, { error: `${name}: no route for ${recorded.method} ${path}` });
    })().catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(e) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(status, n = 1, body, headers = {}) {
      for (let i = 0; i < n; i++) failures.push({ status, body: body ?? { error: `${name}: injected ${status}` }, headers });
    },
    route(method, pattern, handler, opts = {}) {
      const re = typeof pattern === 'string' ? new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : pattern;
      routes.push({ method: method.toUpperCase(), pattern: re, handler, failable: opts.failable ?? true });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A deterministic, deliberately un-normalised vector for a text (sha256-seeded), so tests can check that
 * the client normalises and that equal texts give equal vectors.
 */
export function fakeVector(text: string, dimension: number): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < dimension; block++) {
    const digest = createHash('sha256').update(`${block}\u0000${text}`).digest();
    for (let i = 0; i + 1 < digest.length && out.length < dimension; i += 2) out.push((digest.readUInt16LE(i) / 65535) * 4 - 2);
  }
  return out;
}

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

  const hubFetch: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const rewritten = url.replace(/^https:\/\/(?:router\.)?huggingface\.co/, base.url);
    return fetch(rewritten, init);
  };

  return {
    ...base,
    dimension,
    hubFetch,
    embeddedInputs: () =>
      base.requests
        .filter((r) => r.method === 'POST')
        .map((r) => (r.body as { inputs?: unknown }).inputs)
        .map((i) => (typeof i === 'string' ? [i] : (i as string[]))),
  };
}
