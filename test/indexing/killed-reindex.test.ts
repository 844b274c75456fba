/**
 * A reindex killed half-way (a real `docent index` process, SIGKILL while it is writing the new version) leaves
 * the previous version serving; the next run succeeds and cleans up what the killed one left behind.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../src/indexing/index-files.js';
import { createChromaStoreFactory } from '../../src/stores/chroma-store.js';
import { startChromaServer } from '../../src/stores/chroma-supervisor.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-killed-'));
const dataDir = path.join(work, 'data');
const big = path.join(work, 'big');
const env = { PATH: process.env.PATH ?? '', HOME: work, EMBEDDER: 'word-vectors', LOG_PRETTY: 'never' };
afterAll(() => rmSync(work, { recursive: true, force: true }));

const docent = async (...args: string[]) =>
  (await run(process.execPath, [path.join(repo, 'bin/docent.js'), ...args, '--data-dir', dataDir], { cwd: repo, env: { ...env, LOG_LEVEL: 'warn' }, maxBuffer: 2 ** 26 })).stdout;

describe('a reindex killed half-way', () => {
  it('leaves the old version serving, and the next run succeeds and cleans up', async () => {
    await docent('index', '--source', 'data/sample');
    // A folder big enough that writing the new version takes several batches (the indexer stores 1000 chunks a batch).
    mkdirSync(big, { recursive: true });
    for (let i = 0; i < 2600; i++) writeFileSync(path.join(big, `note-${i}.md`), `# Field note ${i}\n\nGauge ${i} was checked on day ${i % 28 + 1}. Water level ${i * 3} mm, temperature ${i % 17} degrees.\n`);

    const child = spawn(process.execPath, [path.join(repo, 'bin/docent.js'), 'index', '--source', 'data/sample', '--source', big, '--data-dir', dataDir], {
      cwd: repo, env: { ...env, LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Kill it as soon as the first batch of the new version is stored: the new collection is half-written.
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        if (d.toString().includes('"msg":"stored batch"')) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error('the reindex finished before it could be killed')));
    });
    await new Promise((r) => child.once('exit', r));

    const status = JSON.parse(await docent('status', '--json')) as { version: number; documents: number };
    expect(status).toMatchObject({ version: 1, documents: 17 });
    const { hits } = JSON.parse(await docent('search', 'temperature logger', '--json')) as { hits: Array<{ sourceId: string }> };
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => !h.sourceId.startsWith('note-'))).toBe(true);

    const out = await docent('index', '--source', 'data/sample', '--source', big, '--json');
    const summary = JSON.parse(out) as { changed: boolean; version: number; documents: number };
    expect(summary).toMatchObject({ changed: true, version: 2, documents: 2617 });
    const { hits: after } = JSON.parse(await docent('search', 'Field note 42 gauge checked', '--json')) as { hits: Array<{ sourceId: string }> };
    expect(after.some((h) => h.sourceId.startsWith('note-'))).toBe(true);

    // The killed run's half-written collection is gone: what is left is the serving version and the one it
    // replaced (version 1, kept one run longer for processes still serving it).
    const logger = pino({ level: 'silent' });
    const server = await startChromaServer({ dataDir, logger });
    try {
      const stores = await createChromaStoreFactory({ url: server.url, logger });
      const manifest = readManifest(dataDir)!;
      const left = (await stores.list()).filter((n) => n.startsWith('docent_v')).sort();
      expect(left).toHaveLength(2);
      expect(left[0]).toMatch(/^docent_v1_/);
      expect(left[1]).toBe(manifest.collection);
      await stores.close();
    } finally {
      await server.stop();
    }
  });
});
