import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { DocentServices, Feedback, FeedbackOutcome } from '../../commands/services.js';
import { politeError } from '../adapters/shared/polite-error.js';
import type { AnswerPart, Question, Turn } from '../core/answer/types.js';
import type { Logger } from '../logging/logger.js';
import { DEFAULT_SCOPE_KEY } from '../core/channel-scope.js';
import { bearerCheck } from './http-server.js';
import { createRateLimiter, type RateLimiter } from './rate-limit.js';
import { publicBackend, publicReason } from '../core/answer/public-reason.js';

/**
 * The web chat API, on the operations HTTP server's port (mounted as its `extraHandler`):
 *
 * - `POST /api/ask` `{"question": "...", "history": [{"role": "user"|"assistant", "content": "..."}]}` answers
 *   with `text/event-stream`, one `data: <JSON>` event per part, in this order:
 *   `{"type":"answer","answerId":"<uuid>"}` (the id to send feedback for), then the answer's parts as the chat
 *   platforms get them: `{"type":"sources","passages":[…]}`, `{"type":"text-delta","text":"…"}`…, and last
 *   `{"type":"finish","info":{…citations…}}` — or `{"type":"error","error":{"code":"…","message":"<the polite
 *   sentence>"}}` (the log keeps the detail). Lines starting with `:` are keep-alive comments.
 * - `POST /api/feedback` `{"answerId": "<uuid>", "vote": "up"|"down"}` → 202 `{"ok":true}`; 404 `{"error":{"code":
 *   "unknown_answer",…}}` when the services say no such answer was recorded (see `recordFeedback` below).
 *
 * Passages and citations go out with `path` relative to their source root (`publicPath`), never the server's
 * absolute file path: on a public Space that would show the server's layout. URLs are sent as they are.
 *
 * Answers go through `DocentServices.ask` like every platform's (admission, the `default` channel scope, the
 * activity log, the cache); a client that disconnects aborts its answer. Per client IP: a token bucket (429 with
 * Retry-After) spent only by admitted requests, and a looser one for rejected requests (see `createChatApi`).
 * WEB_CHAT_TOKEN: `Authorization: Bearer` required. No CORS headers unless WEB_CHAT_CORS_ORIGIN is set. Bodies
 * must be `application/json` (so a cross-site form cannot post one without a CORS preflight) and small (and arrive
 * within the HTTP server's requestTimeout, http-server.ts); a request that fails validation gets 400
 * `{"error":{"code":"invalid_request","field":…,"message":…}}`.
 */

/** What recording a vote may report back (FeedbackOutcome); void from a fake that knows nothing. */
export type FeedbackResult = FeedbackOutcome | void;

export interface ChatApiOptions {
  /**
   * `recordFeedback` resolves to the activity log's outcome: `unknown-answer` is answered with 404 (a fake that
   * resolves nothing gets 202 for every well-formed vote).
   */
  services: Pick<DocentServices, 'ask' | 'scopeFor'> & { recordFeedback(f: Feedback): Promise<FeedbackResult> };
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** WEB_CHAT_TOKEN: when set, /api/* needs `Authorization: Bearer <token>`. */
  token?: string;
  /** WEB_CHAT_CORS_ORIGIN: empty/undefined sends no CORS headers. */
  corsOrigin?: string;
  rate: { perMinute: number; burst: number };
  /** The bucket rejected requests spend (per endpoint); default `rejectRate(rate)` of that endpoint's bucket. */
  rejectRate?: { perMinute: number; burst: number };
  /** Proxies appending to X-Forwarded-For in front of Docent (0: the peer address is the client). */
  trustProxyHops?: number;
  limits?: Partial<typeof DEFAULT_LIMITS>;
  /** Keep-alive comment interval while an answer streams (proxies close idle streams). */
  heartbeatMs?: number;
}

export const DEFAULT_LIMITS = { bodyBytes: 32 * 1024, questionChars: 2_000, historyTurns: 20, turnChars: 4_000 };
/** The default bucket for rejected requests: five times the refill of the admitted bucket, four times its burst. */
export function rejectRate(r: { perMinute: number; burst: number }): { perMinute: number; burst: number } {
  return { perMinute: Math.max(30, r.perMinute * 5), burst: Math.max(20, r.burst * 4) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JSON_TYPE = 'application/json; charset=utf-8';
const BASE_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

/** The client's address: the peer, or with `hops` trusted proxies the n-th X-Forwarded-For entry from the right. */
export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>, hops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (hops <= 0) return peer;
  const raw = req.headers['x-forwarded-for'];
  const list = (Array.isArray(raw) ? raw.join(',') : raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return list[Math.max(0, list.length - hops)] ?? peer;
}

/** The handler: true when it handled the request (a path under /api/). */
export function createChatApi(o: ChatApiOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const limits = { ...DEFAULT_LIMITS, ...o.limits };
  const authorized = bearerCheck(o.token);
  const voteRate = { perMinute: o.rate.perMinute * 10, burst: o.rate.burst * 4 };
  /*
   * Two buckets per client and endpoint. `admitted` is spent only by a request that passed every check (token,
   * content type, size, validation): a typo'd or oversized question does not cost a user one of their few
   * questions. Rejected requests are not free, though: each one still reads up to `bodyBytes` and parses JSON,
   * and a 401 is a guess at the token. So every rejection (401, 400, 413, 415, and a 429 from `admitted` — else
   * re-sending a valid question past the limit would be an unlimited path that reads bodies) spends a token of
   * `rejected`, a looser bucket; once it is empty the client gets 429 for everything, before its token is checked
   * or its body read, until it refills. An attacker's flood is then bounded per address by `rejected`, and a
   * person's honest mistakes never use up their questions.
   */
  const buckets: Record<string, { admitted: RateLimiter; rejected: RateLimiter }> = {
    '/api/ask': { admitted: createRateLimiter(o.rate), rejected: createRateLimiter(o.rejectRate ?? rejectRate(o.rate)) },
    // Votes are cheap but still written to disk: a looser bucket of their own.
    '/api/feedback': { admitted: createRateLimiter(voteRate), rejected: createRateLimiter(o.rejectRate ?? rejectRate(voteRate)) },
  };
  const cors: Record<string, string> = o.corsOrigin ? { 'Access-Control-Allow-Origin': o.corsOrigin, ...(o.corsOrigin === '*' ? {} : { Vary: 'Origin' }) } : {};

  function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
    if (res.headersSent) return void res.end();
    const text = `${JSON.stringify(body)}\n`;
    res.writeHead(status, { ...BASE_HEADERS, ...cors, 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text), ...extra });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (pathname !== '/api/ask' && pathname !== '/api/feedback') throw new HttpError(404, 'not_found', 'No such API endpoint.');
    if (req.method === 'OPTIONS' && o.corsOrigin) {
      res.writeHead(204, { ...BASE_HEADERS, ...cors, 'Access-Control-Allow-Methods': 'POST', 'Access-Control-Allow-Headers': 'content-type, authorization', 'Access-Control-Max-Age': '600' });
      return void res.end();
    }
    if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST.', undefined, { Allow: 'POST' });
    const client = clientAddress(req, o.trustProxyHops ?? 0);
    const bucket = buckets[pathname]!;
    const flooding = bucket.rejected.check(client);
    if (!flooding.ok) throw rateLimited(flooding.retryAfterSeconds, 'Too many requests; please wait a moment and try again.', true);
    let admitted: { answerId: string; vote: 'up' | 'down' } | Question;
    try {
      if (!authorized(req)) throw new HttpError(401, 'unauthorized', 'This catalog is private: send Authorization: Bearer <WEB_CHAT_TOKEN>.', undefined, { 'WWW-Authenticate': 'Bearer realm="docent"' });
      const body = await readJson(req, limits.bodyBytes);
      admitted = pathname === '/api/feedback' ? validateFeedback(body) : { ...validateAsk(body, limits), sources: o.services.scopeFor(DEFAULT_SCOPE_KEY), askerId: `web:${client}` };
      const allowed = bucket.admitted.take(client);
      if (!allowed.ok) throw rateLimited(allowed.retryAfterSeconds, pathname === '/api/ask' ? 'Too many questions; please wait a moment and try again.' : 'Too many votes; please wait a moment and try again.');
    } catch (err) {
      if (err instanceof HttpError) bucket.rejected.take(client);
      throw err;
    }
    if ('vote' in admitted) {
      const outcome = await o.services.recordFeedback({ answerId: admitted.answerId, vote: admitted.vote, userId: client, platform: 'web' });
      if (outcome === 'unknown-answer') throw new HttpError(404, 'unknown_answer', 'There is no answer with that id (it may be older than the activity log keeps).', 'answerId');
      return sendJson(res, 202, { ok: true });
    }
    return stream(req, res, admitted);
  }

  async function stream(req: IncomingMessage, res: ServerResponse, question: Question): Promise<void> {
    const abort = new AbortController();
    // 'close' before the response finished: the client went away (tab closed, fetch aborted) — stop answering.
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const { answerId, parts } = o.services.ask(question, { signal: abort.signal });
    res.writeHead(200, { ...BASE_HEADERS, ...cors, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const event = (data: unknown): void => void res.write(`data: ${JSON.stringify(data)}\n\n`);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), o.heartbeatMs ?? 15_000);
    heartbeat.unref();
    try {
      event({ type: 'answer', answerId });
      for await (const part of parts) {
        if (abort.signal.aborted) break;
        event(serialisePart(part));
        if (part.type === 'error') o.logger.warn({ err: part.error, answerId }, 'web chat answer failed');
      }
    } finally {
      clearInterval(heartbeat);
      if (abort.signal.aborted) o.logger.info({ answerId, ip: req.socket.remoteAddress }, 'web chat client disconnected; answer aborted');
      else res.end();
    }
  }

  return (req, res) => {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      return false;
    }
    if (pathname !== '/api' && !pathname.startsWith('/api/')) return false;
    handle(req, res, pathname).catch((err: unknown) => {
      if (err instanceof HttpError) {
        // Stop reading an oversized body: answer and close rather than drain megabytes.
        if (err.status === 413) res.setHeader('Connection', 'close');
        return sendJson(res, err.status, { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } }, err.headers);
      }
      o.logger.error({ err, url: req.url }, 'web chat request failed');
      sendJson(res, 500, { error: { code: 'internal', message: 'Sorry — something went wrong. Please try again.' } });
    });
    return true;
  };
}

const rateLimited = (retryAfterSeconds: number, message: string, close = false): HttpError =>
  new HttpError(429, 'rate_limited', message, undefined, { 'Retry-After': String(retryAfterSeconds), ...(close ? { Connection: 'close' } : {}) });

/**
 * A part as the client gets it: an error becomes {code, message: the polite sentence}; passages and citations
 * carry `path` relative to their source root (`publicPath`); failure reasons name no endpoint; the rest as is.
 */
export function serialisePart(part: AnswerPart): unknown {
  switch (part.type) {
    case 'error':
      return { type: 'error', error: { code: part.error.code, message: politeError(part.error) } };
    case 'sources':
      return { ...part, passages: part.passages.map((p) => ({ ...p, path: publicPath(p) })) };
    case 'finish': {
      // Backends and failure reasons without the endpoints they name (core/answer/public-reason.ts), as in the note.
      const i = part.info;
      return {
        ...part,
        info: {
          ...i, backend: publicBackend(i.backend), citations: i.citations.map((c) => ({ ...c, path: publicPath(c) })),
          fallbacks: i.fallbacks.map((f) => ({ backend: publicBackend(f.backend), reason: publicReason(f.reason) })),
          degraded: i.degraded.map((d) => ({ ...d, reason: publicReason(d.reason) })),
        },
      };
    }
    default:
      return part;
  }
}

/**
 * A document's file as the browser may see it: relative to its source root, never the absolute path on the server.
 * For a file in a folder source (and a single-file source) the source id *is* that relative path (POSIX
 * separators), and the absolute path ends with it; otherwise (a catalog record, whose id is its identifier and
 * whose path is the catalog file's) only the file's name. null when the document did not come from a file.
 */
export function publicPath(p: { path: string | null; sourceId: string }): string | null {
  if (!p.path) return null;
  const abs = p.path.replace(/\\/g, '/');
  const id = p.sourceId.replace(/\\/g, '/');
  const relative = id !== '' && !id.startsWith('/') && !/^[a-z]:/i.test(id) && !id.split('/').includes('..');
  if (relative && abs.endsWith(`/${id}`)) return id;
  return path.posix.basename(abs) || null;
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.', 'content-type');
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw new HttpError(413, 'too_large', `The request body is over ${maxBytes} bytes.`, 'body');
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new HttpError(413, 'too_large', `The request body is over ${maxBytes} bytes.`, 'body');
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    // The connection went before the body was complete: the client left, or the server cut a body that did not
    // arrive within its requestTimeout (http-server.ts; the client got a 408). A rejection, not a server fault.
    throw new HttpError(400, 'incomplete_body', 'The request body did not arrive complete.', 'body');
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_request', 'The body is not valid JSON.', 'body');
  }
}

const invalid = (field: string, message: string): HttpError => new HttpError(400, 'invalid_request', message, field);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateAsk(body: unknown, limits: typeof DEFAULT_LIMITS): { text: string; history: Turn[] } {
  if (!isObject(body)) throw invalid('body', 'The body must be a JSON object.');
  const q = body.question;
  if (typeof q !== 'string' || q.trim() === '') throw invalid('question', '`question` must be a non-empty string.');
  if (q.length > limits.questionChars) throw invalid('question', `\`question\` must be at most ${limits.questionChars} characters.`);
  const h = body.history ?? [];
  if (!Array.isArray(h)) throw invalid('history', '`history` must be an array of {role, content}.');
  if (h.length > limits.historyTurns) throw invalid('history', `\`history\` may hold at most ${limits.historyTurns} turns.`);
  const history = h.map((t: unknown, i): Turn => {
    if (!isObject(t)) throw invalid(`history[${i}]`, 'Each turn must be an object {role, content}.');
    if (t.role !== 'user' && t.role !== 'assistant') throw invalid(`history[${i}].role`, '`role` must be "user" or "assistant".');
    if (typeof t.content !== 'string') throw invalid(`history[${i}].content`, '`content` must be a string.');
    if (t.content.length > limits.turnChars) throw invalid(`history[${i}].content`, `\`content\` must be at most ${limits.turnChars} characters.`);
    return { role: t.role, text: t.content };
  });
  return { text: q.trim(), history };
}

export function validateFeedback(body: unknown): { answerId: string; vote: 'up' | 'down' } {
  if (!isObject(body)) throw invalid('body', 'The body must be a JSON object.');
  if (typeof body.answerId !== 'string' || !UUID.test(body.answerId)) throw invalid('answerId', '`answerId` must be the id from the answer event.');
  if (body.vote !== 'up' && body.vote !== 'down') throw invalid('vote', '`vote` must be "up" or "down".');
  return { answerId: body.answerId, vote: body.vote };
}
