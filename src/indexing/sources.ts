/**
 * Sources → items → documents. A configured source is a folder (scanned recursively), a single file or an
 * http(s) URL. Nothing here throws for a bad input: every problem becomes one `ctx.onSkip` entry with a
 * reason a person can act on, and loading carries on with the rest.
 */
import type { Dirent, Stats } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoadError } from '../core/errors.js';
import type { DocumentRecord } from '../core/types.js';
import { fetchSource, NOT_MODIFIED } from './loaders/fetch-source.js';
import type { LoadContext, LoaderInput } from './loaders/loader.js';
import { loaderForDownload, loaderForPath, SUPPORTED_EXTENSIONS } from './loaders/registry.js';
import { overLimitReason } from './loaders/size-limit.js';

export type { LoadContext, SkippedItem } from './loaders/loader.js';

/** One loadable thing inside a source: a file or a URL. */
export interface SourceItem {
  /** Absolute file path or http(s) URL. */
  location: string;
  /** POSIX path relative to the source root; for a URL the URL itself. */
  relPath: string;
  /** The source as configured. */
  sourceRoot: string;
  /** Bytes; -1 if unknown (URL). */
  size: number;
  /** -1 for URLs. */
  mtimeMs: number;
}

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

function toPosix(rel: string): string {
  return rel.split(path.sep).join('/');
}

/** Walks a folder depth-first; `seen` holds real paths of visited folders so symlink loops end. */
async function walk(root: string, dir: string, source: string, ctx: LoadContext, seen: Set<string>, out: SourceItem[]): Promise<void> {
  let entries: Dirent[];
  try {
    const real = await realpath(dir);
    if (seen.has(real)) return;
    seen.add(real);
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    ctx.onSkip({ location: dir, reason: `cannot read folder: ${errorCode(err)}` });
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const abs = path.join(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const s = await stat(abs);
        isDir = s.isDirectory();
        isFile = s.isFile();
      } catch {
        if (loaderForPath(abs)) ctx.onSkip({ location: abs, reason: 'broken symbolic link' });
        continue;
      }
    }
    if (isDir) {
      await walk(root, abs, source, ctx, seen, out);
    } else if (isFile && loaderForPath(abs)) {
      try {
        const s = await stat(abs);
        out.push({ location: abs, relPath: toPosix(path.relative(root, abs)), sourceRoot: source, size: s.size, mtimeMs: s.mtimeMs });
      } catch (err) {
        ctx.onSkip({ location: abs, reason: `cannot read file: ${errorCode(err)}` });
      }
    }
  }
}

/**
 * Expands one configured source (a folder, recursively; a single file; or an http(s) URL) to the items it
 * holds, sorted by relPath. Unsupported extensions and hidden files/folders inside folders are ignored
 * silently; a missing path, or a single file of an unsupported type, is reported through `ctx.onSkip`.
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
    ctx.onSkip({ location: abs, reason: 'not a file or folder' });
    return [];
  }
  const items: SourceItem[] = [];
  await walk(abs, abs, source, ctx, new Set(), items);
  return items.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}

async function loadFile(item: SourceItem, ctx: LoadContext): Promise<DocumentRecord[]> {
  const loader = loaderForPath(item.location);
  if (!loader) throw new LoadError(item.location, `unsupported file type (${path.extname(item.location) || 'no extension'})`);
  let s: Stats;
  try {
    // Stat again: the file may have changed or gone since the folder was listed.
    s = await stat(item.location);
  } catch (err) {
    const code = errorCode(err);
    throw new LoadError(item.location, code === 'ENOENT' ? 'not found' : `cannot read file: ${code}`, err);
  }
  if (s.size > ctx.maxFileBytes) throw new LoadError(item.location, overLimitReason('file', s.size, ctx.maxFileBytes));
  let bytes: Buffer;
  try {
    bytes = await readFile(item.location);
  } catch (err) {
    throw new LoadError(item.location, `cannot read file: ${errorCode(err)}`, err);
  }
  const input: LoaderInput = { absPath: item.location, relPath: item.relPath, sourceRoot: item.sourceRoot, bytes, mtime: s.mtime };
  return loader.load(input, ctx);
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
  return loader.load(input, ctx);
}

/**
 * Loads one item into documents. Never throws for a bad file or URL: calls `ctx.onSkip({ location, reason })`
 * and returns []. Enforces `ctx.maxFileBytes` on files and downloads.
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
