/**
 * The generic half of the loopback fakes: an HTTP server on 127.0.0.1 with a route table, a request log and
 * failure injection, plus small helpers the protocol fakes (HF, Ollama, TEI) share. Each fake adds its own
 * routes; keeping the plumbing here means a fix to request recording or failure injection reaches all of them.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';

/** One request as the fake saw it. Header names are lower-case (node:http). */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body is JSON, else the raw text ('' for none). */
  body: unknown;
}

/** Answers one request; `match` is the route pattern's match against the path (without the query string). */
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

/**
 * A loopback URL nobody listens on: the port was free a moment ago, so connecting is refused at once —
 * the fastest stand-in for an unreachable service (no DNS, no timeout to wait out).
 */
export async function deadUrl(): Promise<string> {
  const port = await new Promise<number>((resolve, reject) => {
    const s = createNetServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  return `http://127.0.0.1:${port}`;
}
