/**
 * Downloads one http(s) source with a timeout, a size cap and the fetch policy (fetch-policy.ts). Every
 * failure becomes a LoadError whose reason starts with "could not fetch:" (or names the size limit), ready
 * for the skip report.
 *
 * node:http(s) rather than global fetch: the connection must use the address the policy checked (a `lookup`
 * hook per request, which fetch does not take without an undici dependency), and redirects are followed here
 * one hop at a time so each target is checked before anything is sent to it.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { LoadError } from '../../core/errors.js';
import { redactUrl, splitUserinfo } from '../../core/redact-url.js';
import { connectionGuard, currentFetchPolicy, FetchRefusedError, type FetchPolicy, type Resolve } from './fetch-policy.js';
import { overLimitReason } from './size-limit.js';

/** A completed download. */
export interface Download {
  /** Final URL after redirects, redacted (no userinfo, no keys): it becomes the documents' citation link. */
  url: string;
  bytes: Buffer;
  /** Lower-case MIME type without parameters, e.g. "application/json"; null when absent. */
  contentType: string | null;
  charset: string | null;
  lastModified: Date | null;
  /** Validators for the next conditional request (ETag / Last-Modified headers as sent). */
  validators: HttpValidators;
}

/** What a server said identifies this version of a resource; sent back as If-None-Match / If-Modified-Since. */
export interface HttpValidators {
  etag?: string;
  lastModified?: string;
}

export interface FetchOptions {
  timeoutMs: number;
  maxBytes: number;
  validators?: HttpValidators | undefined;
  /** Which addresses may be fetched; default: the indexing run's policy (withFetchPolicy), else strict. */
  policy?: FetchPolicy;
  /** Host name resolution (dns.lookup); tests pass their own to stand in for DNS. */
  resolve?: Resolve;
}

/** The server answered 304: the copy fetched with these validators is still current. */
export const NOT_MODIFIED = Symbol('not-modified');

const ACCEPT =
  'application/json, application/xml;q=0.9, text/xml;q=0.9, application/pdf;q=0.9, text/html;q=0.8, text/*;q=0.5, */*;q=0.1';
/** Browsers follow 20, curl 50; a feed that needs more than a handful is misconfigured or a trap. */
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Turns layered errors (a system error wrapped in causes) into one readable phrase. */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `timed out after ${Math.round(timeoutMs / 100) / 10} s`;
  }
  let e: unknown = err;
  // The useful part ("connect ECONNREFUSED 127.0.0.1:9") is in the innermost cause.
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  if (e instanceof AggregateError && e.errors[0] instanceof Error) e = e.errors[0];
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return e.message || code || e.name;
  }
  return String(e);
}

function parseContentType(header: string | undefined): { type: string | null; charset: string | null } {
  if (!header) return { type: null, charset: null };
  const [type, ...params] = header.split(';');
  const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";]+)"?/i.exec(p)?.[1]).find(Boolean) ?? null;
  return { type: type?.trim().toLowerCase() || null, charset };
}

/** The body, decompressed; the cap counts decompressed bytes so a gzip bomb stops at the limit too. */
function decoded(res: IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? zlib.createGunzip()
    : encoding === 'deflate' ? zlib.createInflate()
    : encoding === 'br' ? zlib.createBrotliDecompress()
    : null;
  return decoder ? pipeline(res, decoder, () => undefined) : res;
}

async function readCapped(body: Readable, shownUrl: string, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  // The request's signal does not end a body that stalls after the headers; this does, with the timeout as reason.
  const stop = () => body.destroy(signal.reason as Error);
  signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of body) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) {
        // Stop downloading now rather than buffering a huge body we will throw away.
        body.destroy();
        throw new LoadError(shownUrl, overLimitReason('download', null, maxBytes));
      }
      chunks.push(chunk as Buffer);
    }
  } finally {
    signal.removeEventListener('abort', stop);
  }
  return Buffer.concat(chunks);
}

function get(target: URL, headers: Record<string, string>, lookup: LookupFunction | undefined, signal: AbortSignal): Promise<IncomingMessage> {
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    // agent: false — a pooled keep-alive socket would skip the lookup (and its check) on reuse.
    const req = client.request(target, { method: 'GET', headers, signal, agent: false, ...(lookup ? { lookup } : {}) }, resolve);
    req.on('error', reject);
    req.end();
  });
}

function discard(res: IncomingMessage): void {
  res.resume();
  res.destroy();
}

/**
 * Fetches `url`, enforcing `maxBytes` on Content-Length and on the bytes actually received, the fetch policy
 * on the URL and on every redirect target, and `timeoutMs` on the whole exchange. `user:pass@` in the URL is
 * sent as `Authorization: Basic` (to the original origin only, like browsers); query keys stay in the request.
 * Error messages and the returned URL are redacted.
 * @throws LoadError "could not fetch: HTTP 404 Not Found", "could not fetch: connect ECONNREFUSED …",
 *   "could not fetch: timed out after 30 s", "could not fetch: refused: 127.0.0.1 is a loopback address; …",
 *   "download is 12.3 MB, over the 10 MB limit (LOADER_MAX_FILE_MB)"
 */
export async function fetchSource(url: string, opts: FetchOptions): Promise<Download | typeof NOT_MODIFIED> {
  const policy = opts.policy ?? currentFetchPolicy();
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const { url: bare, authorization } = splitUserinfo(url);
  const shown = redactUrl(url);
  let target: URL;
  try {
    target = new URL(bare);
  } catch (err) {
    throw new LoadError(shown, 'could not fetch: not a valid URL', err);
  }
  const origin = target.origin;
  try {
    for (let hop = 0; ; hop++) {
      // Reasons about a redirect name where it led, so a refused internal target is visible in the skip list.
      const where = hop === 0 ? '' : `redirected to ${redactUrl(target.href)}, `;
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new LoadError(shown, `could not fetch: ${where}not an http(s) URL`);
      let lookup: LookupFunction | undefined;
      try {
        lookup = connectionGuard(target, policy, opts.resolve);
      } catch (err) {
        if (err instanceof FetchRefusedError) throw new LoadError(shown, `could not fetch: ${where}${err.message}`, err);
        throw err;
      }
      const headers: Record<string, string> = { accept: ACCEPT, 'accept-encoding': 'gzip, deflate, br', 'user-agent': 'Docent (catalog indexer)' };
      // Credentials belong to the origin they were written for; a redirect elsewhere does not get them.
      if (authorization && target.origin === origin) headers.authorization = authorization;
      // Conditional request: an unchanged feed costs the server (and us) a 304 instead of megabytes.
      if (opts.validators?.etag) headers['if-none-match'] = opts.validators.etag;
      if (opts.validators?.lastModified) headers['if-modified-since'] = opts.validators.lastModified;
      let res: IncomingMessage;
      try {
        res = await get(target, headers, lookup, signal);
      } catch (err) {
        // A refusal from the lookup hook arrives as the request's error (sometimes wrapped as its cause).
        const refused = err instanceof FetchRefusedError ? err : err instanceof Error && err.cause instanceof FetchRefusedError ? err.cause : null;
        throw new LoadError(shown, `could not fetch: ${where}${refused ? refused.message : describeFetchError(err, opts.timeoutMs)}`, err);
      }
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location) {
        discard(res);
        if (hop >= MAX_REDIRECTS) throw new LoadError(shown, `could not fetch: more than ${MAX_REDIRECTS} redirects`);
        try {
          target = new URL(location, target);
        } catch (err) {
          throw new LoadError(shown, 'could not fetch: redirected to an invalid URL', err);
        }
        continue;
      }
      if (status === 304 && opts.validators) {
        discard(res);
        return NOT_MODIFIED;
      }
      if (status < 200 || status > 299) {
        discard(res);
        throw new LoadError(shown, `could not fetch: ${where}HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`);
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (!res.headers['content-encoding'] && Number.isFinite(declared) && declared > opts.maxBytes) {
        discard(res);
        throw new LoadError(shown, overLimitReason('download', declared, opts.maxBytes));
      }
      const bytes = await readCapped(decoded(res), shown, opts.maxBytes, signal);
      const { type, charset } = parseContentType(res.headers['content-type']);
      const lm = res.headers['last-modified'];
      const lastModified = lm && !Number.isNaN(Date.parse(lm)) ? new Date(lm) : null;
      const validators: HttpValidators = {};
      const etag = res.headers.etag;
      if (etag) validators.etag = etag;
      if (lm) validators.lastModified = lm;
      return { url: hop === 0 ? shown : redactUrl(target.href), bytes, contentType: type, charset, lastModified, validators };
    }
  } catch (err) {
    if (err instanceof LoadError) throw err;
    throw new LoadError(shown, `could not fetch: ${describeFetchError(err, opts.timeoutMs)}`, err);
  }
}
