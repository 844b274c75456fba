/**
 * Lists the files of a folder source, confined to it. Symbolic links are followed only while they stay inside
 * the folder's real path and off its hidden files; a link out, a link loop, a broken link, a named pipe, socket
 * or device is reported through `ctx.onSkip` with the reason. Hidden entries and unsupported extensions are
 * ignored silently, as before.
 *
 * A folder or file reachable both by its own path and through a link is listed once, under its own path: the
 * real tree is walked first and folder links afterwards, so a document's id (its relative path) does not depend
 * on the order a directory happens to list its entries in.
 */
import type { Dirent, Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LoadContext, SourceItem } from './loaders/loader.js';
import { loaderForPath } from './loaders/registry.js';
import { HIDDEN_TARGET_REASON, isHiddenBelow, isInside, notRegularReason, OUTSIDE_REASON, specialKind } from './read-confined.js';

interface Scan {
  root: string;
  rootReal: string;
  source: string;
  ctx: LoadContext;
  /** Real paths of folders listed or queued: a second way to one is not listed twice. */
  seen: Set<string>;
  /** Folder links, followed after the real tree (see the header). */
  deferred: Array<{ abs: string; real: string; above: string[] }>;
  /** Files by real path; a file met through a link gives way to the same file met by its own path. */
  files: Map<string, { item: SourceItem; viaLink: boolean }>;
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? (err instanceof Error ? err.message : String(err));
}

function toPosix(rel: string): string {
  return rel.split(path.sep).join('/');
}

/**
 * Where a symbolic link leads, if it may be followed: its real path and stats, or null after reporting why
 * not. Links to folders, special files and supported files are reported; links to other files are ignored
 * silently, like the files themselves.
 */
async function followLink(scan: Scan, abs: string): Promise<{ real: string; stats: Stats } | null> {
  let real: string;
  let stats: Stats;
  try {
    real = await realpath(abs);
    stats = await stat(real);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ELOOP') scan.ctx.onSkip({ location: abs, reason: 'symbolic link loop' });
    else if (loaderForPath(abs)) scan.ctx.onSkip({ location: abs, reason: code === 'ENOENT' ? 'broken symbolic link' : `cannot read: ${code}` });
    return null;
  }
  const reportable = stats.isDirectory() || specialKind(stats) !== null || loaderForPath(abs) !== null;
  const refused = !isInside(real, scan.rootReal) ? OUTSIDE_REASON : isHiddenBelow(real, scan.rootReal) ? HIDDEN_TARGET_REASON : null;
  if (refused) {
    if (reportable) scan.ctx.onSkip({ location: abs, reason: refused });
    return null;
  }
  return { real, stats };
}

async function addFile(scan: Scan, abs: string, real: string, viaLink: boolean): Promise<void> {
  let s: Stats;
  try {
    s = await stat(abs);
  } catch (err) {
    scan.ctx.onSkip({ location: abs, reason: `cannot read file: ${errorCode(err)}` });
    return;
  }
  const item: SourceItem = { location: abs, relPath: toPosix(path.relative(scan.root, abs)), sourceRoot: scan.source, size: s.size, mtimeMs: s.mtimeMs };
  const known = scan.files.get(real);
  const better = !known || (known.viaLink && (!viaLink || item.relPath < known.item.relPath));
  if (better) scan.files.set(real, { item, viaLink });
}

/** Lists one folder; sub-folders depth-first. `above` holds the real paths from the root down to `dirReal`. */
async function walk(scan: Scan, dir: string, dirReal: string, above: string[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    scan.ctx.onSkip({ location: dir, reason: `cannot read folder: ${errorCode(err)}` });
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const abs = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      const target = await followLink(scan, abs);
      if (!target) continue;
      const kind = specialKind(target.stats);
      if (kind) scan.ctx.onSkip({ location: abs, reason: notRegularReason(kind) });
      else if (target.stats.isDirectory()) scan.deferred.push({ abs, real: target.real, above: [...above, target.real] });
      else if (target.stats.isFile() && loaderForPath(abs)) await addFile(scan, abs, target.real, true);
      continue;
    }
    const real = path.join(dirReal, entry.name);
    const kind = specialKind(entry);
    // Reported whatever the extension: a pipe or device in a document folder is worth knowing about.
    if (kind) scan.ctx.onSkip({ location: abs, reason: notRegularReason(kind) });
    else if (entry.isDirectory()) {
      scan.seen.add(real);
      await walk(scan, abs, real, [...above, real]);
    } else if (entry.isFile() && loaderForPath(abs)) await addFile(scan, abs, real, false);
  }
}

/** The supported files of a folder source (`root` as resolved from the config, `source` as configured). */
export async function scanFolder(root: string, source: string, ctx: LoadContext): Promise<SourceItem[]> {
  let rootReal: string;
  try {
    rootReal = await realpath(root);
  } catch (err) {
    ctx.onSkip({ location: root, reason: `cannot read folder: ${errorCode(err)}` });
    return [];
  }
  const scan: Scan = { root, rootReal, source, ctx, seen: new Set([rootReal]), deferred: [], files: new Map() };
  await walk(scan, root, rootReal, [rootReal]);
  // Folder links last, in the order met; following one may queue more.
  for (let next = scan.deferred.shift(); next; next = scan.deferred.shift()) {
    // `above` ends with the link's own target: a loop is a target that is also one of the folders above it.
    if (next.above.slice(0, -1).includes(next.real)) {
      ctx.onSkip({ location: next.abs, reason: 'symbolic link loop (leads back to a folder above it)' });
    } else if (!scan.seen.has(next.real)) {
      scan.seen.add(next.real);
      await walk(scan, next.abs, next.real, next.above);
    }
  }
  return [...scan.files.values()].map((f) => f.item);
}
