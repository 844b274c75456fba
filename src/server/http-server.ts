import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DocentServices } from '../../commands/services.js';
import type { Logger } from '../logging/logger.js';
import type { DocentMetrics } from './metrics.js';
import type { ReadinessResult } from './readiness.js';
import { renderStatusPage } from './status-page.js';

/**
 * The operations HTTP endpoint: a status page for people, health and readiness for orchestrators
 * (Kubernetes, a Space, a load balancer), and Prometheus metrics. Plain node:http — four GET routes do not
 * justify a framework, and the Slack HTTP adapter can share the port through `extraHandler`.
 */

export interface HttpServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Interface to bind; default all interfaces (a container or Space must be reachable from outside). */
  host?: string;
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
}

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
  // The page has one inline <style> and no scripts, images or frames; forbid everything else.
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

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
const ROUTES = new Set(['/', '/healthz', '/readyz', '/metrics']);

/** Starts the server; resolves once it is listening (rejects on e.g. EADDRINUSE). */
export async function startHttpServer(o: HttpServerOptions): Promise<RunningHttpServer> {
  const title = o.title ?? 'Docent status';

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
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
        return send(res, r.ok ? 200 : 503, JSON_TYPE, `${JSON.stringify({ ok: r.ok, checks: r.checks })}\n`);
      }
      case '/metrics':
        return send(res, 200, o.metrics.contentType, await o.metrics.render());
      default: {
        const [status, sources] = await Promise.all([o.services.status(), o.services.sources()]);
        return send(res, 200, 'text/html; charset=utf-8', renderStatusPage({ ...status, sources: sources.sources }, { title }));
      }
    }
  }

  const server = http.createServer((req, res) => {
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
  // Garbage on the socket (not HTTP at all) gets a 400 and a closed connection instead of an exception.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => o.logger.error({ err }, 'HTTP server error'));
  const port = (server.address() as AddressInfo).port;
  // A wildcard bind is reachable on loopback; report an address a person can paste into a browser.
  const host = !o.host || o.host === '0.0.0.0' || o.host === '::' ? 'localhost' : o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${host}:${port}`;
  o.logger.info({ url }, 'HTTP status server listening');

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
