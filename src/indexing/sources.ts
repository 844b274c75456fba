/**
 * Sources → items → documents. A configured source is a folder (scanned recursively), a single file or an
 * http(s) URL. Nothing here throws for a bad input: every problem becomes one `ctx.onSkip` entry with a
 * reason a person can act on, and loading carries on with the rest.
 *
 * Files are read confined to their source (read-confined.ts: no links out of the folder, no pipes or devices,
 * a size cap and a timeout) and parsed in a worker thread within time and memory limits (parse-pool.ts).
 */
import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoadError } from '../core/errors.js';
import type { DocumentRecord } from '../core/types.js';
import { DEFAULT_PARSE_LIMITS, DEFAULT_READ_TIMEOUT_MS } from './loader-limits.js';
import { fetchSource, NOT_MODIFIED } from './loaders/fetch-source.js';
import type { FileLoader, LoadContext, LoaderInput, SourceItem } from './loaders/loader.js';
import { loaderForDownload, loaderForPath, loaderKey, SUPPORTED_EXTENSIONS } from './loaders/registry.js';
import { parseInWorker } from './parse-pool.js';
import { notRegularReason, readConfinedFile, specialKind } from './read-confined.js';
import { scanFolder } from './scan-folder.js';

// SourceItem lives with the loader types so scan-folder.ts (which sources.ts calls) need not import this file.
export type { LoadContext, SkippedItem, SourceItem } from './loaders/loader.js';

function isUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

/** Config may say "~/docs" or "file:///srv/docs"; both mean a local path. */
function localPath(source: string): string {
  if (/^file:\/\//i.test(source)) return fileURLToPath(source);
  if (source === '~' || source.startsWith('~/')) return path.join(homedir(), source.slice(1));
  return path.resolve(source);
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? (err instanceof Error ? err.message : String(err));
}

/**
 * Expands one configured source (a folder, recursively; a single file; or an http(s) URL) to the items it
 * holds, sorted by relPath. Unsupported extensions and hidden files/folders inside folders are ignored
 * silently; a missing path, a single file of an unsupported type, and (scan-folder.ts) links out of a folder,
 * link loops and special files are reported through `ctx.onSkip`.
 */
export async function listSourceItems(source: string, ctx: LoadContext): Promise<SourceItem[]> {
  if (isUrl(source)) return [{ location: source, relPath: source, sourceRoot: source, size: -1, mtimeMs: -1 }];
  const abs = localPath(source);
  let s: Stats;
  try {
    s = await stat(abs);
  } catch (err) {
    const code = errorCode(err);
    ctx.onSkip({ location: abs, reason: code === 'ENOENT' ? 'not found' : `cannot read: ${code}` });
    return [];
  }
  if (s.isFile()) {
    if (!loaderForPath(abs)) {
      const ext = path.extname(abs) || 'no extension';
      ctx.onSkip({ location: abs, reason: `unsupported file type (${ext}); supported: ${SUPPORTED_EXTENSIONS.join(', ')}` });
      return [];
    }
    return [{ location: abs, relPath: path.basename(abs), sourceRoot: source, size: s.size, mtimeMs: s.mtimeMs }];
  }
  if (!s.isDirectory()) {
    const kind = specialKind(s);
    ctx.onSkip({ location: abs, reason: kind ? notRegularReason(kind) : 'not a file or folder' });
    return [];
  }
  const items = await scanFolder(abs, source, ctx);
  return items.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}

/** Runs `loader` over `input` in the parse worker; partial skips are passed on, a whole failure thrown. */
async function parse(loader: FileLoader, input: LoaderInput, ctx: LoadContext): Promise<DocumentRecord[]> {
  const location = input.absPath ?? input.url ?? input.relPath;
  const result = await parseInWorker(loaderKey(loader), input, ctx.parse ?? DEFAULT_PARSE_LIMITS);
  result.skips.forEach((s) => ctx.onSkip(s));
  if (!result.ok) throw new LoadError(location, result.reason);
  return result.docs;
}

async function loadFile(item: SourceItem, ctx: LoadContext): Promise<DocumentRecord[]> {
  const loader = loaderForPath(item.location);
  if (!loader) throw new LoadError(item.location, `unsupported file type (${path.extname(item.location) || 'no extension'})`);
  // The boundary is the source's real path now, not at listing time: the folder may have changed since.
  let rootReal: string;
  try {
    rootReal = await realpath(localPath(item.sourceRoot));
  } catch (err) {
    const code = errorCode(err);
    throw new LoadError(item.location, code === 'ENOENT' ? 'not found' : `cannot read source folder: ${code}`, err);
  }
  const { bytes, stats } = await readConfinedFile(item.location, rootReal, {
    maxBytes: ctx.maxFileBytes,
    timeoutMs: ctx.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS,
  });
  return parse(loader, { absPath: item.location, relPath: item.relPath, sourceRoot: item.sourceRoot, bytes, mtime: stats.mtime }, ctx);
}

async function loadUrl(item: SourceItem, ctx: LoadContext): Promise<DocumentRecord[]> {
  const previous = ctx.previous?.(item.location);
  const download = await fetchSource(item.location, { timeoutMs: ctx.fetchTimeoutMs, maxBytes: ctx.maxFileBytes, validators: previous?.validators });
  if (download === NOT_MODIFIED) return previous!.docs;
  if (download.validators.etag || download.validators.lastModified) ctx.onValidators?.(item.location, download.validators);
  const loader = loaderForDownload(download);
  if (!loader) throw new LoadError(item.location, `unsupported content type: ${download.contentType ?? 'unknown'}`);
  const input: LoaderInput = {
    absPath: null,
    url: download.url,
    relPath: item.relPath,
    sourceRoot: item.sourceRoot,
    bytes: download.bytes,
    mtime: download.lastModified,
    charset: download.charset,
  };
  return parse(loader, input, ctx);
}

/**
 * Loads one item into documents. Never throws for a bad file or URL: calls `ctx.onSkip({ location, reason })`
 * and returns []. Enforces `ctx.maxFileBytes` on files and downloads, `ctx.readTimeoutMs` on file reads and
 * `ctx.parse` (time, memory, PDF pages) on parsing; absent limits take the defaults in loader-limits.ts.
 */
export async function loadSourceItem(item: SourceItem, ctx: LoadContext): Promise<DocumentRecord[]> {
  try {
    return await (isUrl(item.location) ? loadUrl(item, ctx) : loadFile(item, ctx));
  } catch (err) {
    const reason = err instanceof LoadError ? err.reason : `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
    ctx.onSkip({ location: item.location, reason });
    return [];
  }
}
