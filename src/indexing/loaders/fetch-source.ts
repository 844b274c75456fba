/**
 * Downloads one http(s) source with a timeout and a size cap. Every failure becomes a LoadError whose reason
 * starts with "could not fetch:" (or names the size limit), ready for the skip report.
 */
import { LoadError } from '../../core/errors.js';
import { overLimitReason } from './size-limit.js';

/** A completed download. */
export interface Download {
  /** Final URL after redirects. */
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

/** The server answered 304: the copy fetched with these validators is still current. */
export const NOT_MODIFIED = Symbol('not-modified');

const ACCEPT =
  'application/json, application/xml;q=0.9, text/xml;q=0.9, application/pdf;q=0.9, text/html;q=0.8, text/*;q=0.5, */*;q=0.1';

/** Turns fetch's layered errors (TypeError "fetch failed" wrapping a system error) into one readable phrase. */
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

function parseContentType(header: string | null): { type: string | null; charset: string | null } {
  if (!header) return { type: null, charset: null };
  const [type, ...params] = header.split(';');
  const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";]+)"?/i.exec(p)?.[1]).find(Boolean) ?? null;
  return { type: type?.trim().toLowerCase() || null, charset };
}

async function readCapped(res: Response, url: string, maxBytes: number): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Stop downloading now rather than buffering a huge body we will throw away.
      await reader.cancel().catch(() => undefined);
      throw new LoadError(url, overLimitReason('download', null, maxBytes));
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * Fetches `url` (global fetch, `AbortSignal.timeout`), enforcing `maxBytes` on Content-Length and on the
 * bytes actually received.
 * @throws LoadError "could not fetch: HTTP 404 Not Found", "could not fetch: connect ECONNREFUSED …",
 *   "could not fetch: timed out after 30 s", "download is 12.3 MB, over the 10 MB limit (LOADER_MAX_FILE_MB)"
 */
export async function fetchSource(url: string, opts: { timeoutMs: number; maxBytes: number; validators?: HttpValidators | undefined }): Promise<Download | typeof NOT_MODIFIED> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  try {
    const headers: Record<string, string> = { accept: ACCEPT, 'user-agent': 'Docent (catalog indexer)' };
    // Conditional request: an unchanged feed costs the server (and us) a 304 instead of megabytes.
    if (opts.validators?.etag) headers['if-none-match'] = opts.validators.etag;
    if (opts.validators?.lastModified) headers['if-modified-since'] = opts.validators.lastModified;
    const res = await fetch(url, { signal, redirect: 'follow', headers });
    if (res.status === 304 && opts.validators) {
      await res.body?.cancel().catch(() => undefined);
      return NOT_MODIFIED;
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new LoadError(url, `could not fetch: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new LoadError(url, overLimitReason('download', declared, opts.maxBytes));
    }
    const bytes = await readCapped(res, url, opts.maxBytes);
    const { type, charset } = parseContentType(res.headers.get('content-type'));
    const lm = res.headers.get('last-modified');
    const lastModified = lm && !Number.isNaN(Date.parse(lm)) ? new Date(lm) : null;
    const validators: HttpValidators = {};
    const etag = res.headers.get('etag');
    if (etag) validators.etag = etag;
    if (lm) validators.lastModified = lm;
    return { url: res.url || url, bytes, contentType: type, charset, lastModified, validators };
  } catch (err) {
    if (err instanceof LoadError) throw err;
    throw new LoadError(url, `could not fetch: ${describeFetchError(err, opts.timeoutMs)}`, err);
  }
}
