/**
 * The Web API transport of the fake: `POST /api/<method>` the way @slack/web-api sends it (form-encoded,
 * objects such as `blocks` / `chunks` as JSON strings, token in `Authorization: Bearer`; JSON bodies and GET
 * query strings work too), answered with Slack's envelope — HTTP 200 and `{ ok: true, … }` or
 * `{ ok: false, error }`, HTTP 429 with `Retry-After` when rate limited. Token types are checked like Slack:
 * apps.connections.open wants the app-level `xapp-` token, everything else a bot/user token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { ResponseUrls } from './response-urls.js';
import { now, type RateLimitRecord, type Wire } from './state.js';
import { SlidingWindows, type WindowLimit } from './tiers.js';
import { METHODS, STREAM_METHODS, type WebApiContext } from './web-api-methods.js';

export interface ForcedRateLimit {
  /** Web API method, e.g. `chat.postMessage`. */
  method: string;
  /** How many consecutive calls get the 429 (default 1). */
  times?: number;
  /** Seconds in the Retry-After header (default 1). */
  retryAfterSec?: number;
}

export type { WindowLimit } from './tiers.js';

/** Fields @slack/web-api sends JSON-encoded inside a form body. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'chunks', 'metadata', 'view', 'unfurls', 'user_auth_blocks']);
const BOOLEAN_FIELDS = new Set(['mrkdwn', 'unfurl_links', 'unfurl_media', 'reply_broadcast', 'as_user', 'inclusive', 'include_all_metadata', 'link_names', 'replace_original', 'delete_original']);

export class RateLimiter {
  private readonly forced: { method: string; remaining: number; retryAfterSec: number }[] = [];
  private readonly windows = new Map<string, WindowLimit>();
  private readonly counted = new SlidingWindows();

  constructor(private readonly records: RateLimitRecord[], limits: Record<string, WindowLimit> = {}) {
    for (const [method, l] of Object.entries(limits)) this.windows.set(method, l);
  }

  force(o: ForcedRateLimit): void {
    this.forced.push({ method: o.method, remaining: o.times ?? 1, retryAfterSec: o.retryAfterSec ?? 1 });
  }

  setLimit(method: string, limit: WindowLimit | undefined): void {
    if (limit) this.windows.set(method, limit);
    else this.windows.delete(method);
  }

  /** Notes the call (closing earlier 429 records of the method) and says whether to answer 429. */
  check(method: string, args: Wire): { retryAfterSec: number } | undefined {
    const at = now();
    for (const r of this.records) if (r.method === method && r.retriedAt === undefined) Object.assign(r, { retriedAt: at, waitedMs: at - r.at });
    const forced = this.forced.find((f) => f.method === method && f.remaining > 0);
    if (forced) {
      forced.remaining--;
      this.records.push({ at, method, retryAfterSec: forced.retryAfterSec, forced: true });
      return { retryAfterSec: forced.retryAfterSec };
    }
    const w = this.windows.get(method);
    if (!w) return undefined;
    // One workspace per fake: the key is the method, and the channel for per-channel tiers.
    const key = w.perChannel ? `${method}/${String(args['channel'] ?? args['channel_id'] ?? '')}` : method;
    const waitMs = this.counted.admit(key, w, at);
    if (waitMs <= 0) return undefined;
    // Retry-After is whole seconds on Slack.
    const retryAfterSec = Math.max(1, Math.ceil(waitMs / 1000));
    this.records.push({ at, method, retryAfterSec, forced: false });
    return { retryAfterSec };
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a Web API request into its arguments, or names the error Slack gives for a malformed one. */
export function parseArgs(raw: string, contentType: string, query: string): { args: Wire } | { error: string } {
  const args: Wire = { ...parseQuery(query) };
  if (raw) {
    if (contentType.startsWith('application/json')) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'invalid_json' };
        Object.assign(args, parsed);
      } catch {
        return { error: 'invalid_json' };
      }
    } else if (contentType.startsWith('application/x-www-form-urlencoded') || contentType === '') {
      Object.assign(args, parseQuery(raw));
    } else {
      return { error: 'invalid_form_data' };
    }
  }
  for (const [k, v] of Object.entries(args)) {
    if (typeof v !== 'string') continue;
    if (JSON_FIELDS.has(k)) {
      try {
        args[k] = JSON.parse(v);
      } catch {
        return { error: k === 'blocks' ? 'invalid_blocks_format' : 'invalid_arguments' };
      }
    } else if (BOOLEAN_FIELDS.has(k) && (v === 'true' || v === 'false' || v === '1' || v === '0')) {
      args[k] = v === 'true' || v === '1';
    }
  }
  return { args };
}

/** Which error Slack gives this token for this method, if any. */
function authError(method: string, token: string | undefined, o: { botToken?: string; appToken?: string }): string | undefined {
  if (!token) return 'not_authed';
  if (method === 'apps.connections.open') {
    if (!token.startsWith('xapp-')) return 'not_allowed_token_type';
    return o.appToken !== undefined && token !== o.appToken ? 'invalid_auth' : undefined;
  }
  if (token.startsWith('xapp-')) return 'not_allowed_token_type';
  if (!/^xox[bp]-/.test(token)) return 'invalid_auth';
  return o.botToken !== undefined && token.startsWith('xoxb-') && token !== o.botToken ? 'invalid_auth' : undefined;
}

export interface HttpHandlerDeps {
  ctx: WebApiContext;
  limiter: RateLimiter;
  responseUrls: ResponseUrls;
  botToken?: string;
  appToken?: string;
}

/** The request listener for everything HTTP the fake serves: `/api/<method>` and response_url paths. */
export function createHttpHandler(d: HttpHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { ctx } = d;
  const { state } = ctx;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [path = '/', query = ''] = (req.url ?? '/').split('?', 2);
    const raw = await readBody(req);
    const contentType = String(req.headers['content-type'] ?? '');

    if (req.method === 'POST' && d.responseUrls.matches(path)) {
      let body: Wire;
      try {
        const parsed = contentType.startsWith('application/json') ? { args: JSON.parse(raw) as Wire } : parseArgs(raw, contentType, '');
        if ('error' in parsed) return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
        body = parsed.args;
      } catch {
        return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
      }
      const answer = d.responseUrls.handle(path, body);
      return sendJson(res, answer.status, answer.body);
    }

    const m = path.match(/^\/api\/([A-Za-z0-9_.]+)$/);
    if (!m || (req.method !== 'POST' && req.method !== 'GET')) return sendJson(res, 404, { ok: false, error: 'not_found' });
    const method = m[1]!;
    const parsed = parseArgs(raw, contentType, query);
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    const args: Wire = 'args' in parsed ? parsed.args : {};
    const token = bearer ?? (typeof args['token'] === 'string' ? args['token'] : undefined);
    delete args['token'];
    const at = now();
    const answer = (status: number, body: Wire, headers: Record<string, string> = {}) => {
      state.calls.push({
        at, method, args, ...(token ? { token } : {}), contentType, status, ok: body['ok'] === true,
        ...(typeof body['error'] === 'string' ? { error: body['error'] } : {}),
      });
      state.outgoing.push({ at, kind: 'api', method, body: args });
      sendJson(res, status, body, headers);
    };

    const known = Object.hasOwn(METHODS, method) && (ctx.streaming || !STREAM_METHODS.has(method));
    if (!known) {
      state.unknownMethods.push(method);
      return answer(200, { ok: false, error: 'unknown_method', req_method: method });
    }
    if ('error' in parsed) return answer(200, { ok: false, error: parsed.error });
    const denied = authError(method, token, d);
    if (denied) return answer(200, { ok: false, error: denied });
    const limited = d.limiter.check(method, args);
    if (limited) return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limited.retryAfterSec) });

    const result = METHODS[method]!(args, ctx);
    if (result.ok) return answer(200, { ok: true, ...result.body });
    return answer(200, { ok: false, error: result.err.error, ...(result.err.extra ?? {}) });
  }

  return (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'fatal_error', detail: String(e) });
      else res.destroy();
    });
  };
}
