import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { isForeignHost } from './host-check.js';
import type { AddressInfo } from 'node:net';
import type { DocentServices } from '../../commands/services.js';
import type { Logger } from '../logging/logger.js';
import type { DocentMetrics } from './metrics.js';
import type { ReadinessResult } from './readiness.js';
import { escapeHtml, renderStatusPage } from './status-page.js';
import type { InsightsReport } from '../insights/insights-report.js';
import { insightsResponse } from '../insights/insights-route.js';

/**
 * The operations HTTP endpoint: a status page for people, health and readiness for orchestrators
 * (Kubernetes, a Space, a load balancer), and Prometheus metrics. Plain node:http — four GET routes do not
 * justify a framework, and the Slack HTTP adapter can share the port through `extraHandler`.
 *
 * Routes: `/status` (the status page; `/` redirects there unless the web chat is on, whose page then takes `/`), `/healthz`,
 * `/readyz`, `/metrics`, `/insights` (the maintainers' report, src/insights/); the web chat API (/api/*, src/server/chat-api.ts) comes in through `extraHandler`.
 *
 * Exposure: the caller picks the interface (config: 127.0.0.1 by default, 0.0.0.0 under the Space profile).
 * With a `token`, `/metrics` and the status page's figures need `Authorization: Bearer <token>`; without it `/status`
 * says only "ok" or "not ready", `/metrics` is 401, and `/readyz` keeps its status code and check names but not
 * the failure reasons (they name internal hosts). `/healthz` and `/readyz` never need the token: orchestrators
 * probe them without credentials.
 */

export interface HttpServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Interface to bind; default 127.0.0.1 (config `server.host` / HTTP_HOST: 0.0.0.0 under the Space profile). */
  host?: string;
  /** When set, `/metrics` and the status page's details need `Authorization: Bearer <token>` (STATUS_TOKEN). */
  token?: string;
  /** CSP frame-ancestors sources (config `server.frameAncestors`); default `'none'`. */
  frameAncestors?: string;
  services: Pick<DocentServices, 'status' | 'sources'>;
  ready: () => Promise<ReadinessResult>;
  metrics: Pick<DocentMetrics, 'render' | 'contentType'>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Gets every request first (e.g. Slack events on the same port); returns true when it handled it. */
  extraHandler?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Status page heading and <title>. */
  title?: string;
  /** How long `close()` lets in-flight requests finish before cutting connections. */
  closeGraceMs?: number;
  /** Builds the `/insights` report for a window (`loadInsights` over the data dir); without it /insights is 404. */
  insights?: (since: string) => Promise<InsightsReport>;
  /**
   * How long a client may take to send a whole request, headers and body (Node's `server.requestTimeout`; default
   * 30 s, Node's own is 300 s): a client that trickles a body is cut off with 408 instead of holding a connection
   * for five minutes. It covers receiving the request only — a long answer streamed back (SSE) is not cut.
   */
  requestTimeoutMs?: number;
  /** How long a client may take to send the request headers (`server.headersTimeout`; default 20 s, at most `requestTimeoutMs`). */
  headersTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;

export interface RunningHttpServer {
  url: string;
  port: number;
  /** Stops accepting connections and resolves once the server has closed. */
  close(): Promise<void>;
}

/** Headers every response carries: nothing is cacheable (figures change) and the page can load nothing external. */
const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The page has one inline <style> and no scripts, images or frames; forbid everything else. `frameAncestors`:
 * who may show it in a frame — nobody by default; a Hugging Face Space shows its app inside an iframe on
 * huggingface.co, so the Space profile allows that origin (`server.frameAncestors`).
 */
export function contentSecurityPolicy(frameAncestors = "'none'"): string {
  return `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors ${frameAncestors}; base-uri 'none'; form-action 'none'`;
}

/** Sends a complete response; Node itself drops the body of a HEAD response but keeps Content-Length. */
function send(res: ServerResponse, status: number, contentType: string, body: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const HTML = 'text/html; charset=utf-8';
const ROUTES = new Set(['/', '/status', '/healthz', '/readyz', '/metrics', '/insights']);

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * `authorized(req)`: does the request carry `Authorization: Bearer <token>`? Always true without a token.
 * Constant time: both sides are hashed to 32 bytes first, so neither the token's content nor its length shows
 * in how long a wrong guess takes (timingSafeEqual itself needs equal lengths).
 */
export function bearerCheck(token: string | undefined): (req: Pick<IncomingMessage, 'headers'>) => boolean {
  if (!token) return () => true;
  const expected = sha256(token);
  return (req) => {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '');
    return timingSafeEqual(sha256(m?.[1] ?? ''), expected) && m !== null;
  };
}

/** The status page a request without the token gets: whether Docent can answer, nothing more. */
function minimalPage(title: string, ok: boolean): string {
  const t = escapeHtml(title);
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${t}</title></head><body><h1>${t}</h1><p>${ok ? 'ok' : 'not ready'}</p></body></html>\n`;
}

/** Starts the server; resolves once it is listening (rejects on e.g. EADDRINUSE). */
export async function startHttpServer(o: HttpServerOptions): Promise<RunningHttpServer> {
  const title = o.title ?? 'Docent status';
  const authorized = bearerCheck(o.token);

  const csp = contentSecurityPolicy(o.frameAncestors);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Set here, not in send(): every response of this server carries its CSP (send's headers merge with it).
    res.setHeader('Content-Security-Policy', csp);
    // A malformed request target must not throw out of the handler; the base only anchors relative paths.
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      return send(res, 400, TEXT, 'bad request\n');
    }
    if (!ROUTES.has(pathname)) return send(res, 404, TEXT, 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, TEXT, 'method not allowed\n', { Allow: 'GET, HEAD' });
    switch (pathname) {
      case '/healthz':
        // Liveness only: if this line runs, the event loop is alive. Dependencies belong to /readyz.
        return send(res, 200, TEXT, 'ok\n');
      case '/readyz': {
        const r = await o.ready();
        // Without the token a failing check shows as false: its reason may name an internal host.
        const checks = authorized(req) ? r.checks : Object.fromEntries(Object.entries(r.checks).map(([k, v]) => [k, v === true]));
        return send(res, r.ok ? 200 : 503, JSON_TYPE, `${JSON.stringify({ ok: r.ok, checks })}\n`);
      }
      case '/':
        // With the web chat on, its handler (src/server/web-chat) serves `/` before this runs; without it `/` points
        // at the status page. 302, not 301: a browser must not remember it once the web chat is switched on.
        return send(res, 302, TEXT, 'see /status\n', { Location: '/status' });
      case '/insights': {
        // Who may see it (token, or loopback only without one) and its own CSP: src/insights/insights-route.ts.
        const r = await insightsResponse(req, { load: o.insights, authorized: authorized(req), tokenSet: Boolean(o.token), host: o.host ?? '127.0.0.1', frameAncestors: o.frameAncestors });
        return send(res, r.status, r.type, r.body, r.headers);
      }
      case '/metrics':
        if (!authorized(req)) return send(res, 401, TEXT, 'unauthorized: send Authorization: Bearer <STATUS_TOKEN>\n', { 'WWW-Authenticate': 'Bearer realm="docent"' });
        return send(res, 200, o.metrics.contentType, await o.metrics.render());
      default: {
        if (!authorized(req)) return send(res, 200, HTML, minimalPage(title, (await o.ready()).ok));
        const [status, sources] = await Promise.all([o.services.status(), o.services.sources()]);
        return send(res, 200, HTML, renderStatusPage({ ...status, sources: sources.sources }, { title, insights: o.insights !== undefined }));
      }
    }
  }

  const requestTimeout = o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const headersTimeout = Math.min(o.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout);
  // Node checks the two timeouts on an interval (30 s by default), so a request could last up to twice its timeout;
  // a quarter of the shorter one (between 0.1 and 5 s) keeps the overshoot small at the cost of a cheap sweep.
  const connectionsCheckingInterval = Math.min(5_000, Math.max(100, Math.floor(headersTimeout / 4)));
  const server = http.createServer({ requestTimeout, headersTimeout, connectionsCheckingInterval }, (req, res) => {
    if (isForeignHost(o.host ?? '127.0.0.1', req.headers.host)) return send(res, 421, TEXT, 'This server answers only to localhost.\n');
    try {
      if (o.extraHandler?.(req, res)) return;
    } catch (err) {
      o.logger.error({ err, url: req.url }, 'HTTP extra handler failed');
      return send(res, 500, TEXT, 'internal error\n');
    }
    route(req, res).catch((err: unknown) => {
      // The detail goes to the log only; the response never echoes internals.
      o.logger.error({ err, url: req.url }, 'HTTP request failed');
      send(res, 500, TEXT, 'internal error\n');
    });
  });
  // Garbage on the socket (not HTTP at all) gets a 400 and a closed connection instead of an exception; a request
  // not received within requestTimeout/headersTimeout a 408. Only when no response has started on the socket
  // (as Node's own handler does): a status line in the middle of one would corrupt it.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) {
      const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => o.logger.error({ err }, 'HTTP server error'));
  const port = (server.address() as AddressInfo).port;
  // A wildcard bind is reachable on loopback; report an address a person can paste into a browser.
  const bound = o.host ?? '127.0.0.1';
  const host = bound === '0.0.0.0' || bound === '::' ? 'localhost' : bound.includes(':') ? `[${bound}]` : bound;
  const url = `http://${host}:${port}`;
  o.logger.info({ url, host: bound, auth: o.token ? 'bearer token for the page details and /metrics' : 'none' }, 'HTTP status server listening');
  if (!o.token && bound !== '127.0.0.1' && bound !== '::1' && bound !== 'localhost') {
    o.logger.warn({ host: bound }, 'the status page and /metrics are reachable from other hosts without a token; set STATUS_TOKEN to protect them');
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets would hold close() open until they time out; idle ones go now, busy ones after a grace.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), o.closeGraceMs ?? 5_000).unref();
      });
      return closing;
    },
  };
}
