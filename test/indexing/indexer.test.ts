import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { DocentError } from '../../src/core/errors.js';
import { readManifest, indexPaths } from '../../src/indexing/index-files.js';
import { runIndex, type IndexRunOptions } from '../../src/indexing/indexer.js';
import { createHashEmbedder } from '../../src/providers/embedders/hash-embedder.js';
import { openKeywordIndex } from '../../src/stores/sqlite-keyword-index.js';
import { createMemoryStoreFactory } from '../../src/stores/memory-store.js';
import type { VectorStoreFactory } from '../../src/core/ports/vector-store.js';
import { startServer, textPdf } from './loaders/helpers.js';

const logger = pino({ level: 'silent' });

function setup() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'docent-indexer-'));
  const docs = path.join(root, 'docs');
  const dataDir = path.join(root, 'data');
  return { root, docs, dataDir };
}

function write(file: string, text: string | Buffer) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function options(dataDir: string, sources: string[], stores: VectorStoreFactory, over: Partial<IndexRunOptions> = {}): IndexRunOptions {
  return {
    dataDir, sources, stores, logger,
    chunking: { size: 600, overlap: 60, recordSize: 2000 },
    loader: { maxFileBytes: 5 * 2 ** 20, fetchTimeoutMs: 2000 },
    // The feed servers below listen on loopback, which the fetch policy refuses unless it is allowed.
    fetchPolicy: { allowPrivate: false, allowHosts: ['127.0.0.1'] },
    embedder: createHashEmbedder(128),
    batchSize: 16,
    ...over,
  };
}

describe('runIndex', () => {
  let env: ReturnType<typeof setup>;
  let stores: VectorStoreFactory;
  beforeEach(() => {
    env = setup();
    stores = createMemoryStoreFactory();
    write(path.join(env.docs, 'guide.md'), '# Stream gauges\n\nGauges record water level every 15 minutes.\n\n## Winter\n\nSnow pillows weigh the snowpack.');
    write(path.join(env.docs, 'notes/readme.txt'), 'Plain notes about precipitation collectors.');
    write(path.join(env.docs, 'manual.pdf'), textPdf(['Installing a temperature logger', 'Replacing batteries in winter']));
  });

  it('indexes what loads, names what is skipped and why, and records a manifest', async () => {
    write(path.join(env.docs, 'broken.pdf'), Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage'));
    const s = await runIndex(options(env.dataDir, [env.docs], stores));
    expect(s.changed).toBe(true);
    expect(s.documents).toBe(4); // guide.md, readme.txt, two PDF pages
    expect(s.skipped).toHaveLength(1);
    expect(s.skipped[0]!.location).toContain('broken.pdf');
    expect(s.skipped[0]!.reason).toMatch(/corrupt PDF/);
    const m = readManifest(env.dataDir)!;
    expect(m).toMatchObject({ version: 1, documents: 4, embedder: { id: 'hash:v1-128', dimension: 128 } });
    expect(await stores.list()).toEqual([m.collection]);
    const kw = openKeywordIndex(indexPaths(env.dataDir).keywordFile(1));
    expect(kw.query('batteries winter', 1)[0]!.item).toMatchObject({ sourceId: 'manual.pdf', page: 2 });
  });

  it('skips chunking when no document or setting changed, and still rebuilds for a new chunk size alone', async () => {
    write(path.join(env.docs, 'long.md'), `# Long guide\n\n${Array.from({ length: 60 }, (_, i) => `Sentence ${i} about stream gauges and snow.`).join(' ')}`);
    const first = await runIndex(options(env.dataDir, [env.docs], stores));
    const hash = readManifest(env.dataDir)!.inputsHash;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const again = await runIndex(options(env.dataDir, [env.docs], stores));
    // Same counts as the run that chunked, read from its manifest.
    expect(again).toMatchObject({ changed: false, version: 1, documents: first.documents, chunks: first.chunks, perSource: first.perSource });
    expect(readManifest(env.dataDir)!.inputsHash).toBe(hash);
    // Same documents, other chunking: the inputs differ, so it chunks, and the chunks differ, so a new version.
    const smaller = await runIndex(options(env.dataDir, [env.docs], stores, { chunking: { size: 300, overlap: 0, recordSize: 2000 } }));
    expect(smaller).toMatchObject({ changed: true, version: 2 });
    expect(smaller.chunks).toBeGreaterThan(first.chunks);
    // A touched file (same content, new mtime) changes the inputs but not the chunks: no new version.
    const now = new Date(Date.now() + 5000);
    utimesSync(path.join(env.docs, 'guide.md'), now, now);
    expect(await runIndex(options(env.dataDir, [env.docs], stores, { chunking: { size: 300, overlap: 0, recordSize: 2000 } }))).toMatchObject({ changed: false, version: 2 });
  });

  it('a file indexed before under another source is named by its new source (not the cached one)', async () => {
    await runIndex(options(env.dataDir, [env.docs], stores));
    const notes = path.join(env.docs, 'notes');
    const s = await runIndex(options(env.dataDir, [notes], stores));
    expect(s.documents).toBe(1);
    expect(s.perSource).toEqual({ [notes]: { documents: 1, chunks: 1 } });
    const kw = openKeywordIndex(indexPaths(env.dataDir).keywordFile(s.version));
    // readme.txt relative to notes/, as a fresh index of notes/ names it — not notes/readme.txt under docs/.
    expect(kw.query('precipitation collectors', 1)[0]!.item).toMatchObject({ sourceId: 'readme.txt', sourceRoot: notes });
  });

  it('rebuilds nothing when nothing changed, and embeds only new text when one file changed', async () => {
    const first = await runIndex(options(env.dataDir, [env.docs], stores));
    const v1 = readManifest(env.dataDir)!.collection;
    const again = await runIndex(options(env.dataDir, [env.docs], stores));
    expect(again).toMatchObject({ changed: false, version: 1, embedded: 0, documents: first.documents });

    write(path.join(env.docs, 'notes/readme.txt'), 'Plain notes about precipitation collectors and rain gauges.');
    const third = await runIndex(options(env.dataDir, [env.docs], stores));
    expect(third).toMatchObject({ changed: true, version: 2, embedded: 1 });
    // The replaced version stays until the next run (another process may still be serving it)…
    const v2 = readManifest(env.dataDir)!.collection;
    expect((await stores.list()).sort()).toEqual([v1, v2].sort());
    write(path.join(env.docs, 'notes/readme.txt'), 'Plain notes, third edition.');
    await runIndex(options(env.dataDir, [env.docs], stores));
    // …and goes with it: only the serving version and the one it replaced remain.
    expect((await stores.list()).sort()).toEqual([v2, readManifest(env.dataDir)!.collection].sort());
    expect(readdirSync(indexPaths(env.dataDir).indexDir).filter((f) => f.startsWith('keyword-')).sort()).toEqual(['keyword-v2.sqlite', 'keyword-v3.sqlite']);
  });

  it('applies a reindex to the idle version\'s collection as a diff: only new and changed chunks are written', async () => {
    const first = await runIndex(options(env.dataDir, [env.docs], stores));
    expect(first.stored).toMatchObject({ mode: 'full', upserted: first.chunks });
    write(path.join(env.docs, 'notes/readme.txt'), 'Plain notes, second edition.');
    const second = await runIndex(options(env.dataDir, [env.docs], stores));
    expect(second.stored?.mode).toBe('full'); // no idle version yet: v1 is the one being replaced
    write(path.join(env.docs, 'notes/readme.txt'), 'Plain notes, third edition, about rain gauges.');
    rmSync(path.join(env.docs, 'guide.md'));
    const third = await runIndex(options(env.dataDir, [env.docs], stores));
    // v1's collection becomes v3: the readme changed since v1 (1 chunk), the guide's chunks were withdrawn.
    expect(third.stored).toEqual({ mode: 'diff', upserted: 1, deleted: 2 });
    const m = readManifest(env.dataDir)!;
    expect(m.previousVersion?.version).toBe(2);
    const store = await stores.open(m.collection, { embedderId: m.embedder.id, dimension: m.embedder.dimension });
    expect(await store.count()).toBe(third.chunks);
    // What the collection holds is exactly the new version: every chunk's vector is the one of its new text.
    const kw = openKeywordIndex(indexPaths(env.dataDir).keywordFile(3));
    const embedder = createHashEmbedder(128);
    for (const c of kw.allChunks()) expect((await store.query(await embedder.embedQuery(c.text), 1))[0]?.id).toBe(c.id);
    expect((await stores.list()).length).toBe(2);
  });

  it('falls back to writing every vector when the idle collection cannot be updated, and loses nothing', async () => {
    await runIndex(options(env.dataDir, [env.docs], stores));
    write(path.join(env.docs, 'notes/readme.txt'), 'Second edition.');
    await runIndex(options(env.dataDir, [env.docs], stores));
    write(path.join(env.docs, 'notes/readme.txt'), 'Third edition.');
    const broken: VectorStoreFactory = { ...stores, rename: async () => Promise.reject(new Error('rename refused')) };
    const third = await runIndex(options(env.dataDir, [env.docs], broken));
    expect(third.stored?.mode).toBe('full');
    const m = readManifest(env.dataDir)!;
    const store = await stores.open(m.collection, { embedderId: m.embedder.id, dimension: m.embedder.dimension });
    expect(await store.count()).toBe(third.chunks);
  });

  it('keeps the previous index serving when a reindex fails part-way', async () => {
    await runIndex(options(env.dataDir, [env.docs], stores));
    const before = readManifest(env.dataDir)!;
    write(path.join(env.docs, 'new.md'), '# New\n\nA new document about lidar.');
    const failing: VectorStoreFactory = {
      ...stores,
      open: async (name, stamp) => {
        const s = await stores.open(name, stamp);
        return { ...s, upsert: async () => Promise.reject(new Error('disk full')) };
      },
    };
    await expect(runIndex(options(env.dataDir, [env.docs], failing))).rejects.toThrow('disk full');
    expect(readManifest(env.dataDir)).toEqual(before);
    expect(await stores.list()).toEqual([before.collection]);
    expect(readdirSync(indexPaths(env.dataDir).indexDir).filter((f) => f.startsWith('keyword-'))).toEqual(['keyword-v1.sqlite']);
  });

  it('an added, a changed and a withdrawn document produce exactly those changes', async () => {
    await runIndex(options(env.dataDir, [env.docs], stores));
    const kwBefore = openKeywordIndex(indexPaths(env.dataDir).keywordFile(1));
    const before = new Map([...kwBefore.allChunks()].map((c) => [c.id, c.textHash]));
    write(path.join(env.docs, 'added.md'), '# Added\n\nA brand new page about lidar flights.');
    write(path.join(env.docs, 'notes/readme.txt'), 'Plain notes about precipitation collectors, revised.');
    rmSync(path.join(env.docs, 'guide.md'));
    const s = await runIndex(options(env.dataDir, [env.docs], stores));
    expect(s.diff).toEqual({ added: 1, changed: 1, removed: 1 });
    // Only the added and the changed document's text went to the embedder.
    expect(s.embedded).toBe(2);
    const after = [...openKeywordIndex(indexPaths(env.dataDir).keywordFile(2)).allChunks()];
    expect(after.map((c) => c.sourceId).sort()).toEqual(['added.md', 'manual.pdf', 'manual.pdf', 'notes/readme.txt']);
    // Unchanged chunks keep their ids and text; the changed one has new text under the same id.
    for (const c of after.filter((x) => x.sourceId === 'manual.pdf')) expect(before.get(c.id)).toBe(c.textHash);
    const readme = after.find((c) => c.sourceId === 'notes/readme.txt')!;
    expect(before.has(readme.id)).toBe(true);
    expect(before.get(readme.id)).not.toBe(readme.textHash);
    const m = readManifest(env.dataDir)!;
    const store = await stores.open(m.collection, { embedderId: m.embedder.id, dimension: m.embedder.dimension });
    expect(await store.count()).toBe(4);
  });

  it('refuses to replace an index with an empty one when no source loads', async () => {
    await runIndex(options(env.dataDir, [env.docs], stores));
    const err = await runIndex(options(env.dataDir, [path.join(env.root, 'missing')], stores)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocentError);
    expect((err as DocentError).code).toBe('index_empty');
    // The message says which source failed and why: the summary's skipped list is never printed for a failed run.
    expect((err as DocentError).message).toContain(`(${path.join(env.root, 'missing')} — not found)`);
    expect(readManifest(env.dataDir)!.version).toBe(1);
  });

  it('asks a feed URL again with its ETag and Last-Modified, and reuses the copy on 304', async () => {
    const seen: Array<{ ifNoneMatch: string | undefined; ifModifiedSince: string | undefined }> = [];
    let body = JSON.stringify({ dataset: [{ identifier: 'ds-1', title: 'Snow depth', description: 'Daily snow depth.', keyword: ['snow'] }] });
    let etag = '"v1"';
    const server = await startServer((req, res) => {
      seen.push({ ifNoneMatch: req.headers['if-none-match'] as string | undefined, ifModifiedSince: req.headers['if-modified-since'] as string | undefined });
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', etag, 'last-modified': 'Sat, 01 Nov 2026 10:00:00 GMT' }).end(body);
    });
    try {
      const url = `${server.base}/data.json`;
      expect((await runIndex(options(env.dataDir, [url], stores))).documents).toBe(1);
      const second = await runIndex(options(env.dataDir, [url], stores));
      expect(second).toMatchObject({ changed: false, documents: 1, skipped: [], notes: [] });
      expect(seen[1]).toEqual({ ifNoneMatch: '"v1"', ifModifiedSince: 'Sat, 01 Nov 2026 10:00:00 GMT' });
      body = body.replace('Snow depth', 'Snow depth and SWE');
      etag = '"v2"';
      const third = await runIndex(options(env.dataDir, [url], stores));
      expect(third).toMatchObject({ changed: true, diff: { added: 0, changed: 1, removed: 0 } });
    } finally {
      await server.close();
    }
  });

  it('serves the last good copy of a feed URL that has become unreachable, and says so', async () => {
    let up = true;
    const feed = { dataset: [{ identifier: 'ds-1', title: 'Snow depth', description: '<p>Daily snow depth.</p>', keyword: ['snow'] }] };
    const server = await startServer((_req, res) => {
      if (!up) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(feed));
    });
    try {
      const url = `${server.base}/data.json`;
      const first = await runIndex(options(env.dataDir, [url], stores));
      expect(first.documents).toBe(1);
      up = false;
      const second = await runIndex(options(env.dataDir, [url], stores));
      expect(second).toMatchObject({ changed: false, documents: 1, skipped: [] });
      expect(second.notes[0]).toMatch(/HTTP 503.*kept the copy fetched at/);
    } finally {
      await server.close();
    }
  });
});
