import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DocentServices } from '../../commands/services.js';
import { politeError } from '../adapters/shared/polite-error.js';
import type { AnswerPart, Question, Turn } from '../core/answer/types.js';
import type { Logger } from '../logging/logger.js';
import { DEFAULT_SCOPE_KEY } from '../core/channel-scope.js';
import { bearerCheck } from './http-server.js';
import { createRateLimiter } from './rate-limit.js';

/**
 * The web chat API, on the operations HTTP server's port (mounted as its `extraHandler`):
 *
 * - `POST /api/ask` `{"question": "...", "history": [{"role": "user"|"assistant", "content": "..."}]}` answers
 *   with `text/event-stream`, one `data: <JSON>` event per part, in this order:
 *   `{"type":"answer","answerId":"<uuid>"}` (the id to send feedback for), then the answer's parts as the chat
 *   platforms get them: `{"type":"sources","passages":[…]}`, `{"type":"text-delta","text":"…"}`…, and last
 *   `{"type":"finish","info":{…citations…}}` — or `{"type":"error","error":{"code":"…","message":"<the polite
 *   sentence>"}}` (the log keeps the detail). Lines starting with `:` are keep-alive comments.
 * - `POST /api/feedback` `{"answerId": "<uuid>", "vote": "up"|"down"}` → 202 `{"ok":true}`.
 *
 * Answers go through `DocentServices.ask` like every platform's (admission, the `default` channel scope, the
 * activity log, the cache); a client that disconnects aborts its answer. Per client IP: a token bucket (429 with
 * Retry-After). WEB_CHAT_TOKEN: `Authorization: Bearer` required. No CORS headers unless WEB_CHAT_CORS_ORIGIN is
 * set. Bodies must be `application/json` (so a cross-site form cannot post one without a CORS preflight) and
 * small; a request that fails validation gets 400 `{"error":{"code":"invalid_request","field":…,"message":…}}`.
 */

export interface ChatApiOptions {
  services: Pick<DocentServices, 'ask' | 'scopeFor' | 'recordFeedback'>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** WEB_CHAT_TOKEN: when set, /api/* needs `Authorization: Bearer <token>`. */
  token?: string;
  /** WEB_CHAT_CORS_ORIGIN: empty/undefined sends no CORS headers. */
  corsOrigin?: string;
  rate: { perMinute: number; burst: number };
  /** Proxies appending to X-Forwarded-For in front of Docent (0: the peer address is the client). */
  trustProxyHops?: number;
  limits?: Partial<typeof DEFAULT_LIMITS>;
  /** Keep-alive comment interval while an answer streams (proxies close idle streams). */
  heartbeatMs?: number;
}

export const DEFAULT_LIMITS = { bodyBytes: 32 * 1024, questionChars: 2_000, historyTurns: 20, turnChars: 4_000 };
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
  const askLimiter = createRateLimiter(o.rate);
  // Votes are cheap but still written to disk: a looser bucket of their own.
  const voteLimiter = createRateLimiter({ perMinute: o.rate.perMinute * 10, burst: o.rate.burst * 4 });
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
    if (!authorized(req)) throw new HttpError(401, 'unauthorized', 'This catalog is private: send Authorization: Bearer <WEB_CHAT_TOKEN>.', undefined, { 'WWW-Authenticate': 'Bearer realm="docent"' });
    const client = clientAddress(req, o.trustProxyHops ?? 0);
    const allowed = (pathname === '/api/ask' ? askLimiter : voteLimiter).take(client);
    if (!allowed.ok) throw new HttpError(429, 'rate_limited', 'Too many questions; please wait a moment and try again.', undefined, { 'Retry-After': String(allowed.retryAfterSeconds) });
    const body = await readJson(req, limits.bodyBytes);
    if (pathname === '/api/feedback') {
      const { answerId, vote } = validateFeedback(body);
      await o.services.recordFeedback({ answerId, vote, userId: client, platform: 'web' });
      return sendJson(res, 202, { ok: true });
    }
    const question: Question = { ...validateAsk(body, limits), sources: o.services.scopeFor(DEFAULT_SCOPE_KEY), askerId: `web:${client}` };
    return stream(req, res, question);
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

/** A part as the client gets it: an error becomes {code, message: the polite sentence}; the rest as is. */
export function serialisePart(part: AnswerPart): unknown {
  return part.type === 'error' ? { type: 'error', error: { code: part.error.code, message: politeError(part.error) } } : part;
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.', 'content-type');
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw new HttpError(413, 'too_large', `The request body is over ${maxBytes} bytes.`, 'body');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, 'too_large', `The request body is over ${maxBytes} bytes.`, 'body');
    chunks.push(chunk);
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
