import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireIndexLock } from '../../src/indexing/index-lock.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'docent-lock-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function holdAs(dataDir: string, holder: object, ageMs = 0): string {
  const file = path.join(dataDir, 'index', 'index.lock');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(holder));
  const t = new Date(Date.now() - ageMs);
  utimesSync(file, t, t);
  return file;
}

describe('index lock', () => {
  it('is exclusive within the data dir and released once', async () => {
    const dataDir = path.join(work, 'a');
    const release = await acquireIndexLock(dataDir, { what: 'docent index' });
    await expect(acquireIndexLock(dataDir, { what: 'docent index' })).rejects.toMatchObject({ code: 'reindex_busy', message: expect.stringContaining(`pid ${process.pid}`) });
    release();
    expect(existsSync(path.join(dataDir, 'index', 'index.lock'))).toBe(false);
    (await acquireIndexLock(dataDir, { what: 'docent index' }))();
  });

  it('waits for a holder that finishes', async () => {
    const dataDir = path.join(work, 'b');
    const release = await acquireIndexLock(dataDir, { what: 'first' });
    let waitedFor: number | undefined;
    const second = acquireIndexLock(dataDir, { what: 'second', wait: true, pollMs: 20, onWait: (h) => (waitedFor = h.pid) });
    setTimeout(release, 100);
    (await second)();
    expect(waitedFor).toBe(process.pid);
  });

  it('trusts another host\'s lock while it is touched, and breaks it after 5 minutes of silence', async () => {
    const dataDir = path.join(work, 'c');
    const holder = { pid: 1, host: 'replica-2', startedAt: new Date().toISOString(), what: 'schedule reindex' };
    holdAs(dataDir, holder, 60_000);
    await expect(acquireIndexLock(dataDir, { what: 'x' })).rejects.toMatchObject({ message: expect.stringContaining('on replica-2') });
    holdAs(dataDir, holder, 6 * 60_000);
    (await acquireIndexLock(dataDir, { what: 'x' }))();
  });

  it('breaks the lock of a process that is gone on this host', async () => {
    const dataDir = path.join(work, 'd');
    // Pid 2^22 + 1 is above Linux's pid_max: no such process.
    holdAs(dataDir, { pid: 4194305, host: os.hostname(), startedAt: new Date().toISOString(), what: 'docent index' });
    (await acquireIndexLock(dataDir, { what: 'x' }))();
  });
});
