/**
 * Reading files of a source folder without leaving it. A folder that someone else can write to may hold a
 * symbolic link to /etc/passwd, to a sibling `.env` or to a whole outside folder, or a named pipe where a file
 * was; none of that may be read, quoted to users, or hang a reindex. The rules:
 *
 * - only regular files are read; named pipes, sockets and devices are skipped with a reason;
 * - a file's real path (all links resolved) must be inside the real path of the source root, and not hidden
 *   below it (a link must not smuggle in the dotfiles the folder scan leaves out);
 * - the file is opened non-blocking (a pipe swapped in after the check cannot block the open), checked again
 *   on the open descriptor (type, and where it really is), and read with a size cap and a timeout.
 */
import { constants, type Stats } from 'node:fs';
import { open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { LoadError } from '../core/errors.js';
import { readTimeReason } from './loader-limits.js';
import { overLimitReason } from './loaders/size-limit.js';

/** The skip reason for a link that resolves outside its source. The target is not named: it is not ours to show. */
export const OUTSIDE_REASON = 'symbolic link leads outside the source folder';
export const HIDDEN_TARGET_REASON = 'symbolic link leads to a hidden file or folder';

// O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer; O_NOFOLLOW refuses a final
// symlink swapped in after realpath(). Both are 0 where the platform lacks them (Windows has neither hazard).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** What kind of non-regular file this is, for a skip reason; null for a regular file or a folder. */
export function specialKind(s: Pick<Stats, 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>): string | null {
  if (s.isFIFO()) return 'named pipe';
  if (s.isSocket()) return 'socket';
  if (s.isCharacterDevice()) return 'character device';
  if (s.isBlockDevice()) return 'block device';
  return null;
}

export function notRegularReason(kind: string): string {
  return `not a regular file (${kind})`;
}

/** True when `real` is `root` or lies below it; both must be real (resolved) absolute paths. */
export function isInside(real: string, root: string): boolean {
  if (real === root) return true;
  const rel = path.relative(root, real);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** True when a path component below `root` starts with a dot (the folder scan skips those). */
export function isHiddenBelow(real: string, root: string): boolean {
  const rel = path.relative(root, real);
  return rel !== '' && rel.split(path.sep).some((part) => part.startsWith('.'));
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? (err instanceof Error ? err.message : String(err));
}

function fail(location: string, err: unknown): LoadError {
  if (err instanceof LoadError) return err;
  const code = errorCode(err);
  if (code === 'ENOENT') return new LoadError(location, 'not found', err);
  if (code === 'ELOOP') return new LoadError(location, 'symbolic link loop', err);
  return new LoadError(location, `cannot read file: ${code}`, err);
}

/** Where an open descriptor really points, on Linux; null where /proc is not there to ask. */
async function openedPath(fh: FileHandle): Promise<string | null> {
  try {
    return (await readlink(`/proc/self/fd/${fh.fd}`)).replace(/ \(deleted\)$/, '');
  } catch {
    return null;
  }
}

/** Checks a resolved path against the root: inside it, not hidden below it. */
function checkPlace(location: string, real: string, rootReal: string): void {
  if (!isInside(real, rootReal)) throw new LoadError(location, OUTSIDE_REASON);
  if (isHiddenBelow(real, rootReal)) throw new LoadError(location, HIDDEN_TARGET_REASON);
}

function checkRegular(location: string, s: Stats, maxBytes: number): void {
  const kind = specialKind(s);
  if (kind) throw new LoadError(location, notRegularReason(kind));
  if (!s.isFile()) throw new LoadError(location, 'not a file');
  if (s.size > maxBytes) throw new LoadError(location, overLimitReason('file', s.size, maxBytes));
}

export interface ConfinedRead {
  bytes: Buffer;
  /** Stats of the open descriptor: the file that was actually read. */
  stats: Stats;
}

async function readInside(location: string, rootReal: string, maxBytes: number, track: (fh: FileHandle) => void): Promise<ConfinedRead> {
  const real = await realpath(location);
  checkPlace(location, real, rootReal);
  // Checked before opening: opening some devices has side effects, and a pipe would be a wasted open.
  const before = await stat(real);
  checkRegular(location, before, maxBytes);
  const fh = await open(real, OPEN_FLAGS);
  track(fh);
  // Checked again on the descriptor: the path may have been swapped (for a pipe, or a folder on the way for a
  // link elsewhere) between the checks above and open().
  const s = await fh.stat();
  checkRegular(location, s, maxBytes);
  const opened = await openedPath(fh);
  if (opened !== null) checkPlace(location, opened, rootReal);
  else if (s.ino !== before.ino || s.dev !== before.dev) throw new LoadError(location, 'file changed while it was being read');
  // Read exactly what fstat promised (a file that reports no size, like a pseudo-file, reads as empty rather
  // than without end). allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool, sized exactly,
  // so the parse pool can move it to the worker instead of copying it.
  const buf = Buffer.allocUnsafeSlow(s.size);
  let filled = 0;
  while (filled < buf.length) {
    const { bytesRead } = await fh.read(buf, filled, buf.length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  // Grown past the limit while being read: skipped like a file that was too big from the start.
  const after = await fh.stat();
  if (after.size > maxBytes) throw new LoadError(location, overLimitReason('file', after.size, maxBytes));
  return { bytes: filled === buf.length ? buf : buf.subarray(0, filled), stats: s };
}

/**
 * Reads one file of a source, confined to `rootReal` (the real path of the source root; for a single-file
 * source, the file's own real path). Throws LoadError with a reason a person can act on: outside the folder,
 * not a regular file, over `maxBytes`, or not read within `timeoutMs`. A read that times out is abandoned
 * (its descriptor is closed once the stuck call returns) so the run goes on.
 */
export async function readConfinedFile(location: string, rootReal: string, opts: { maxBytes: number; timeoutMs: number }): Promise<ConfinedRead> {
  let handle: FileHandle | undefined;
  let abandoned = false;
  const track = (fh: FileHandle) => {
    handle = fh;
    if (abandoned) void fh.close().catch(() => undefined);
  };
  const reading = readInside(location, rootReal, opts.maxBytes, track).finally(() => {
    if (!abandoned) void handle?.close().catch(() => undefined);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abandoned = true;
      void handle?.close().catch(() => undefined);
      reject(new LoadError(location, readTimeReason(opts.timeoutMs)));
    }, opts.timeoutMs);
  });
  try {
    return await Promise.race([reading, timeout]);
  } catch (err) {
    throw fail(location, err);
  } finally {
    clearTimeout(timer);
    reading.catch(() => undefined);
  }
}
