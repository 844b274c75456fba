import type { IncomingMessage } from 'node:http';
import { DocentError } from '../core/errors.js';
import type { InsightsReport } from './insights-report.js';
import { insightsCsp, renderInsightsHtml } from './render-html.js';
import { parseSince } from './report-window.js';

/**
 * What `GET /insights` answers (src/server/http-server.ts sends it). The page shows what people typed, so it is
 * guarded at least as well as the status page's figures:
 * - with STATUS_TOKEN set: only with `Authorization: Bearer <token>` (the status page's own check), else 401;
 * - without a token: served only when the server is bound to loopback (as the status page's figures are open
 *   there), and refused with 403 on any other bind — the status page then shows counts to anyone, but a Space
 *   or a server on 0.0.0.0 must not publish its users' questions to the internet.
 * `?since=24h|7d|2w|30d` picks the window (default 7d; a bad one is a 400 naming the parameter and the forms). Its own CSP allows only its own stylesheet.
 */

export interface InsightsRouteOptions {
  /** Builds the report for a `--since` value (load-insights.ts over the running Docent's data dir). */
  load: ((since: string) => Promise<InsightsReport>) | undefined;
  /** Did the request carry the STATUS_TOKEN (always true when no token is set)? */
  authorized: boolean;
  tokenSet: boolean;
  /** The interface the server is bound to. */
  host: string;
  frameAncestors?: string | undefined;
  title?: string;
}

export interface RouteResponse {
  status: number;
  type: string;
  body: string;
  headers: Record<string, string>;
}

const TEXT = 'text/plain; charset=utf-8';

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function insightsResponse(req: Pick<IncomingMessage, 'url'>, o: InsightsRouteOptions): Promise<RouteResponse> {
  const headers = { 'Content-Security-Policy': insightsCsp(o.frameAncestors) };
  const plain = (status: number, body: string, extra: Record<string, string> = {}): RouteResponse => ({ status, type: TEXT, body, headers: { ...headers, ...extra } });
  if (!o.load) return plain(404, 'not found\n');
  if (o.tokenSet && !o.authorized) return plain(401, 'unauthorized: send Authorization: Bearer <STATUS_TOKEN>\n', { 'WWW-Authenticate': 'Bearer realm="docent"' });
  if (!o.tokenSet && !isLoopbackHost(o.host)) return plain(403, 'forbidden: /insights shows what people asked; set STATUS_TOKEN to serve it on a non-loopback address\n');
  const since = new URL(req.url ?? '/', 'http://localhost').searchParams.get('since') ?? '7d';
  try {
    parseSince(since, 'http');
  } catch (err) {
    if (err instanceof DocentError) return plain(400, `${err.message}\n`);
    throw err;
  }
  const report = await o.load(since);
  return { status: 200, type: 'text/html; charset=utf-8', body: renderInsightsHtml(report, o.title ? { title: o.title } : {}), headers };
}
