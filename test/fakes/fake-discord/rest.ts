/**
 * The fake Discord REST API's plumbing: the node:http listener for `/api/v10/...` (the gateway upgrades on
 * the same port), body parsing (JSON or multipart `payload_json`), bot-token auth, rate-limit headers and
 * 429s, the request/outgoing logs, and 404s for routes the fake does not know (recorded, so a test can
 * assert the bot never hit one). The routes themselves live in rest-routes.ts and rest-interactions.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Wire } from './payloads.js';
import type { ApiError, FakePlatform } from './platform.js';
import type { RateLimits } from './rate-limits.js';
import { isInteractionRoute, templateToRegExp } from './rate-limits.js';
import type { OutgoingKind } from './state.js';

export const API_PREFIX = '/api/v10';

/** What a route handler sees. */
export interface RouteRequest {
  method: string;
  /** Path below /api/v10, without the query string. */
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  body: Wire;
  /** `performance.now()` at arrival. */
  at: number;
}

export type RouteResult = { status: number; body?: unknown } | ApiError;

export interface Route {
  method: string;
  /** e.g. `/channels/:channel/messages/:message` — also the rate-limit bucket's identity. */
  template: string;
  /** Whether the route needs `Authorization: Bot …` (interaction callbacks and webhooks-with-token do not). */
  auth: boolean;
  /** How a mutating request is labelled in `state.outgoing`. */
  kind?: OutgoingKind;
  handler: (req: RouteRequest, platform: FakePlatform) => RouteResult;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export interface RestServerOptions {
  platform: FakePlatform;
  rateLimits: RateLimits;
  routes: Route[];
  /** When set, a different bot token gets 401 (discord.js turns that into TokenInvalid at login). */
  expectedToken?: string;
}

async function readBody(req: IncomingMessage): Promise<Wire> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    // discord.js sends files as multipart with the JSON in a `payload_json` part; the fake keeps the JSON.
    const m = /name="payload_json"\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/.exec(text);
    const files = (text.match(/name="files\[\d+\]"/g) ?? []).length;
    const json = m ? (JSON.parse(m[1]!) as Wire) : {};
    return files ? { ...json, _files: files } : json;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? { _array: parsed } : (parsed as Wire);
  } catch {
    return { _raw: text };
  }
}

function majorParameter(template: string, params: Record<string, string>): string {
  if (template.startsWith('/channels/')) return `channel:${params['channel']}`;
  if (template.startsWith('/guilds/')) return `guild:${params['guild']}`;
  if (template.startsWith('/webhooks/')) return `webhook:${params['app']}:${params['token']}`;
  if (template.startsWith('/interactions/')) return `interaction:${params['id']}`;
  return 'global';
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status === 200 ? 204 : status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** The request listener that answers the REST API (index.ts mounts it on the HTTP server the gateway shares). */
export function createRestHandler(o: RestServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { platform, rateLimits } = o;
  const { state } = platform;
  const routes: CompiledRoute[] = o.routes.map((r) => ({
    ...r,
    regex: templateToRegExp(r.template),
    names: r.template.split('/').filter((s) => s.startsWith(':')).map((s) => s.slice(1)),
  }));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    // discord.js percent-encodes segments (`@original` arrives as `%40original`); match and record decoded paths.
    const rawPath = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) || '/' : url.pathname;
    const path = rawPath.split('/').map((seg) => decodeURIComponent(seg)).join('/');
    const query = url.searchParams.toString();
    const log = (status: number): void => void state.requests.push({ at, method, path, query, status });

    const route = url.pathname.startsWith(API_PREFIX) ? routes.find((r) => r.method === method && r.regex.test(path)) : undefined;
    if (!route) {
      state.unknownRoutes.push({ at, method, path: url.pathname });
      log(404);
      return send(res, 404, { message: 'Unknown route', code: 0 }, {});
    }
    const values = path.split('/');
    const templateSegments = route.template.split('/');
    const params: Record<string, string> = {};
    templateSegments.forEach((seg, i) => {
      if (seg.startsWith(':')) params[seg.slice(1)] = values[i] ?? '';
    });

    const auth = req.headers['authorization'] ?? '';
    const token = auth.startsWith('Bot ') ? auth.slice(4) : undefined;
    if (route.auth) {
      if (token) state.restTokens.add(token);
      if (!token || (o.expectedToken !== undefined && token !== o.expectedToken)) {
        log(401);
        return send(res, 401, { message: '401: Unauthorized', code: 0 }, {});
      }
    }

    const countsGlobally = token !== undefined && !isInteractionRoute(route.template);
    const verdict = rateLimits.check(method, path, route.template, majorParameter(route.template, params), countsGlobally);
    let status: number;
    let out: unknown;
    if (verdict.limited) {
      status = 429;
      out = verdict.limited.body;
    } else {
      const result = route.handler({ method, path, query: url.searchParams, params, body, at }, platform);
      status = result.status;
      out = result.body;
    }
    if (method !== 'GET') state.outgoing.push({ at, method, path, query, kind: route.kind ?? 'other', body, status });
    log(status);
    send(res, status, out, verdict.limited?.headers ?? verdict.headers);
  }

  return (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { message: `fake-discord: ${String(e)}`, code: 0 }, {});
      else res.destroy();
    });
  };
}
