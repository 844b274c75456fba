/**
 * The keyword index written in its own thread (keyword-writer-worker.ts): the same file the inline writer builds,
 * and a thread that fails — a bad path, a crash — fails the reindex cleanly: the error reaches the caller, the
 * run is recorded as failed and the previous version keeps serving.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { indexPaths, readManifest } from '../../src/indexing/index-files.js';
import { INLINE_MAX_CHUNKS, ThreadKeywordWriter } from '../../src/indexing/keyword-writer-worker.js';
import { createHashEmbedder } from '../../src/providers/embedders/hash-embedder.js';
import { createReindexRunner } from '../../src/runtime/reindex-runner.js';
import { createMemoryStoreFactory } from '../../src/stores/memory-store.js';
import { openKeywordIndex, writeKeywordIndex } from '../../src/stores/sqlite-keyword-index.js';
import { chunk } from '../helpers/chunks.js';

const logger = pino({ level: 'silent' });
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'docent-kw-thread-'));

const chunks = Array.from({ length: 40 }, (_, i) =>
  chunk(`c${i}`, `Document ${i % 8}`, `Stream gauge ${i} records water levels; timber harvest unit ${i % 5}.`, { sourceId: `doc${i % 8}.md`, ordinal: Math.floor(i / 8), keywords: [`unit ${i % 5}`] }));

const documents = Array.from({ length: 8 }, (_, d) => ({
  sourceRoot: 'root', sourceId: `doc${d}.md`, page: null, title: `Document ${d}`, keywords: [],
  text: chunks.filter((c) => c.sourceId === `doc${d}.md`).map((c) => c.text).join('\n\n'),
}));

describe('ThreadKeywordWriter', () => {
  it('builds the index the inline writer builds', async () => {
    const dir = tmp();
    const inline = path.join(dir, 'inline.sqlite');
    const threaded = path.join(dir, 'threaded.sqlite');
    writeKeywordIndex(inline, chunks, documents);
    const w = new ThreadKeywordWriter(threaded);
    await w.addDocuments(documents);
    for (let i = 0; i < chunks.length; i += 16) await w.add(chunks.slice(i, i + 16));
    await w.finish();
    const [a, b] = [openKeywordIndex(inline), openKeywordIndex(threaded)];
    try {
      expect(b.size).toBe(a.size);
      for (const q of ['stream gauge', 'timber harvest unit 3', 'water']) {
        expect(b.query(q, 10).map((s) => [s.item.id, s.score])).toEqual(a.query(q, 10).map((s) => [s.item.id, s.score]));
      }
    } finally {
      a.close();
      b.close();
    }
    expect(readdirSync(dir).sort()).toEqual(['inline.sqlite', 'threaded.sqlite']);
  });

  it('rejects with the thread’s error when the file cannot be written, and abort still resolves', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'not-a-dir'), 'x');
    const w = new ThreadKeywordWriter(path.join(dir, 'not-a-dir', 'keyword.sqlite'));
    await expect(w.add(chunks)).rejects.toThrow(/keyword index writer: (EEXIST|ENOTDIR)/);
    // Every later operation fails the same way; nothing hangs.
    await expect(w.finish()).rejects.toThrow(/keyword index writer/);
    await expect(w.abort()).resolves.toBeUndefined();
  });

  it('rejects pending and later operations when the thread dies', async () => {
    const dir = tmp();
    const file = path.join(dir, 'keyword.sqlite');
    const w = new ThreadKeywordWriter(file);
    await w.add(chunks.slice(0, 8));
    await w.crashForTest();
    await expect(w.add(chunks.slice(8))).rejects.toThrow(/exited .* before the index was written/);
    await w.abort();
    expect(readdirSync(dir)).toEqual([]); // the dead thread's tmp file is removed for it
  });
});

describe('a reindex whose keyword thread fails', () => {
  it('reports the error and leaves the previous version serving', async () => {
    const root = tmp();
    const docs = path.join(root, 'docs');
    mkdirSync(docs, { recursive: true });
    // Enough chunks that the writer runs in its thread (small indexes are written inline).
    const paragraphs = (n: number, word: string) => Array.from({ length: n }, (_, i) => `## Section ${i}\n\n${word} paragraph ${i}: ${'gauges measure stream flow '.repeat(20)}`).join('\n\n');
    writeFileSync(path.join(docs, 'manual.md'), `# Manual\n\n${paragraphs(INLINE_MAX_CHUNKS + 100, 'first')}`);
    const dataDir = path.join(root, 'data');
    const config = loadConfig({ env: {}, overrides: { dataDir, sources: [docs] } });
    const runner = createReindexRunner({ config, embedder: createHashEmbedder(64), stores: createMemoryStoreFactory(), logger, swap: async () => undefined });

    const first = await runner.run('admin');
    expect(first.chunks).toBeGreaterThan(INLINE_MAX_CHUNKS);
    writeFileSync(path.join(docs, 'manual.md'), `# Manual\n\n${paragraphs(INLINE_MAX_CHUNKS + 100, 'second')}`);
    // The next version's tmp file cannot be created: a directory stands where the thread will put it.
    mkdirSync(`${indexPaths(dataDir).keywordFile(first.version + 1)}.${process.pid}.tmp`);

    await expect(runner.run('admin')).rejects.toThrow(/keyword index writer/);
    expect(readManifest(dataDir)?.version).toBe(first.version);
    const serving = openKeywordIndex(indexPaths(dataDir).keywordFile(first.version));
    try {
      expect(serving.query('first paragraph', 3).length).toBeGreaterThan(0);
    } finally {
      serving.close();
    }
    const admin = runner.lastRuns().find((r) => r.trigger === 'admin')!;
    expect(admin.ok).toBe(false);
    expect(admin.summary).toMatch(/keyword index writer/);
  }, 60_000);
});
