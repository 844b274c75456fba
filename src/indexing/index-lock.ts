import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DocentError } from '../core/errors.js';
import { indexPaths } from './index-files.js';

/** Who holds the index lock: enough to name it in a message and to tell whether it still runs. */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  what: string;
}

export interface IndexLockOptions {
  /** What this run is ("docent index", "scheduled reindex"): the next one's message names it. */
  what: string;
  /** Queue behind a running holder instead of failing. */
  wait?: boolean;
  /** Called once when waiting starts. */
  onWait?: (holder: LockHolder) => void;
  pollMs?: number;
}

/**
 * One index run per data dir at a time, across processes. Two `docent index` runs used to both read version N,
 * both write version N+1, and report it; the last manifest write won and the other run's result was lost.
 *
 * `<dataDir>/index/index.lock` is created with O_EXCL (`wx`) and holds the pid, host and start time. A lock whose
 * process is gone (same host, pid not alive: a run killed with SIGKILL or a power cut) is stale and is broken. A
 * lock from another host (replicas on a shared volume) cannot be checked by pid: its holder touches it every
 * 30 s, and one untouched for 5 minutes is stale. Returns the release function.
 */
export async function acquireIndexLock(dataDir: string, o: IndexLockOptions): Promise<() => void> {
  const file = path.join(indexPaths(dataDir).indexDir, 'index.lock');
  mkdirSync(path.dirname(file), { recursive: true });
  const mine: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), what: o.what };
  const text = JSON.stringify(mine);
  let waited = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      // The heartbeat other hosts judge it by; unref'd so it never keeps a finished process alive.
      const beat = setInterval(() => {
        try {
          const now = new Date();
          utimesSync(file, now, now);
        } catch {
          // Gone or broken by someone else: the release below finds out.
        }
      }, HEARTBEAT_MS);
      beat.unref();
      return () => {
        clearInterval(beat);
        releaseIfMine(file, text);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const raw = readOrEmpty(file);
    const holder = parseHolder(raw);
    if (isStale(file, holder)) {
      breakStale(file, raw);
      continue;
    }
    if (!o.wait) {
      const h = holder!;
      throw new DocentError('reindex_busy', 'user', `another index run (${h.what}, pid ${h.pid}${h.host !== mine.host ? ` on ${h.host}` : ''}, started ${h.startedAt}) is using ${indexPaths(dataDir).root}`, {
        hint: 'Wait for it to finish, or add --wait to run after it.',
      });
    }
    if (!waited) o.onWait?.(holder!);
    waited = true;
    await sleep(o.pollMs ?? 500);
  }
}

const HEARTBEAT_MS = 30_000;
const FOREIGN_STALE_MS = 5 * 60_000;

/** Runs `fn` holding the lock, releasing it however `fn` ends. */
export async function withIndexLock<T>(dataDir: string, o: IndexLockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await acquireIndexLock(dataDir, o);
  try {
    return await fn();
  } finally {
    release();
  }
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const h = JSON.parse(raw) as Partial<LockHolder>;
    return typeof h.pid === 'number' && typeof h.startedAt === 'string'
      ? { pid: h.pid, host: h.host ?? '', startedAt: h.startedAt, what: h.what ?? 'an index run' }
      : undefined;
  } catch {
    return undefined;
  }
}

function isStale(file: string, holder: LockHolder | undefined): boolean {
  if (!holder) {
    // Created but not yet written (or torn by a crash): give a live writer a moment, then break it.
    try {
      return Date.now() - statSync(file).mtimeMs > 10_000;
    } catch {
      return true;
    }
  }
  if (holder.host && holder.host !== os.hostname()) {
    try {
      return Date.now() - statSync(file).mtimeMs > FOREIGN_STALE_MS;
    } catch {
      return true;
    }
  }
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    // EPERM: alive, another user's. ESRCH: gone.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Moves the stale file aside and checks it is the one judged stale: if another process broke it first and
 * created a fresh lock in between, that lock is put back instead of being deleted.
 */
function breakStale(file: string, staleRaw: string): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    renameSync(file, aside);
  } catch {
    return;
  }
  if (readOrEmpty(aside) === staleRaw) rmSync(aside, { force: true });
  else {
    try {
      renameSync(aside, file);
    } catch {
      rmSync(aside, { force: true });
    }
  }
}

function releaseIfMine(file: string, text: string): void {
  if (readOrEmpty(file) === text) rmSync(file, { force: true });
}
