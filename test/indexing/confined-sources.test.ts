/**
 * A source folder is a boundary: links out of it (to /etc/passwd, a sibling .env, an outside folder), links to
 * its hidden files, link loops, named pipes, sockets and devices are skipped with a reason and never read; a
 * file swapped for a pipe or an outside link after the folder was listed is skipped too, without hanging.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentRecord } from '../../src/core/types.js';
import { runIndex } from '../../src/indexing/indexer.js';
import { listSourceItems, loadSourceItem, type SourceItem } from '../../src/indexing/sources.js';
import { createHashEmbedder } from '../../src/providers/embedders/hash-embedder.js';
import { createMemoryStoreFactory } from '../../src/stores/memory-store.js';
import { makeFifo, makeZeroDevice } from './hostile-files.js';
import { collectingContext, tmpFolder } from './loaders/helpers.js';

const OUTSIDE = /OUTSIDE|sibling-gamma|root:x:0|private-delta/;

async function loadAll(items: SourceItem[], ctx: ReturnType<typeof collectingContext>): Promise<DocumentRecord[]> {
  const docs: DocumentRecord[] = [];
  for (const item of items) docs.push(...(await loadSourceItem(item, ctx)));
  return docs;
}

describe('a source folder with links out, pipes, sockets and loops', () => {
  let base: string;
  let docs: string;
  let cleanup: () => Promise<void>;
  let server: Server | undefined;
  let fifo = false;
  let device = false;
  const ctx = collectingContext();
  let items: SourceItem[] = [];
  let loaded: DocumentRecord[] = [];
  const reasonsFor = (name: string) => ctx.skipped.filter((s) => s.location === path.join(docs, name)).map((s) => s.reason);

  beforeAll(async () => {
    ({ dir: base, cleanup } = await tmpFolder('docent-confined-'));
    docs = path.join(base, 'docs');
    await mkdir(path.join(docs, 'sub'), { recursive: true });
    await mkdir(path.join(base, 'outside-dir'), { recursive: true });
    await writeFile(path.join(base, 'secret.md'), '# Secret\n\nOUTSIDE SECRET alpha');
    await writeFile(path.join(base, 'outside-dir', 'leak.md'), '# Leak\n\nOUTSIDE FOLDER beta');
    await writeFile(path.join(base, '.env'), 'API_KEY=sibling-gamma\n');
    await writeFile(path.join(docs, 'guide.md'), '# Guide\n\nInside text about gauges.');
    await writeFile(path.join(docs, 'sub', 'inner.md'), '# Inner\n\nInner text about snow.');
    await writeFile(path.join(docs, '.private.md'), '# Private\n\nprivate-delta');
    // Links that lead out, or to a hidden file: skipped.
    if (existsSync('/etc/passwd')) await symlink('/etc/passwd', path.join(docs, 'passwd.txt'));
    await symlink('../secret.md', path.join(docs, 'secret.md'));
    await symlink(path.join(base, 'outside-dir'), path.join(docs, 'outside-dir'));
    await symlink('../.env', path.join(docs, 'env.txt'));
    await symlink('..', path.join(docs, 'up'));
    await symlink('.private.md', path.join(docs, 'private.md'));
    // Links that stay inside: followed. A link back up to the root is a loop.
    await symlink('guide.md', path.join(docs, 'alias.md'));
    await symlink('sub', path.join(docs, 'sub-link'));
    await symlink('.', path.join(docs, 'loop'));
    await symlink('missing.md', path.join(docs, 'broken.md'));
    await symlink('self.md', path.join(docs, 'self.md'));
    // Not regular files.
    fifo = makeFifo(path.join(docs, 'pipe.md'));
    device = makeZeroDevice(path.join(docs, 'zero.txt'));
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(path.join(docs, 'agent.sock'), resolve));

    items = await listSourceItems(docs, ctx);
    loaded = await loadAll(items, ctx);
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await cleanup();
  });

  it('indexes what is inside, each file once, under its own path rather than a link to it', () => {
    expect(items.map((i) => i.relPath)).toEqual(['guide.md', 'sub/inner.md']);
    expect(loaded.map((d) => d.text)).toEqual([expect.stringContaining('Inside text about gauges.'), expect.stringContaining('Inner text about snow.')]);
  });

  it('follows links that stay inside', async () => {
    const only = path.join(base, 'linked');
    await mkdir(path.join(only, 'real', 'deep'), { recursive: true });
    await writeFile(path.join(only, 'real', 'a.md'), '# A\n\nText A.');
    await writeFile(path.join(only, 'real', 'deep', 'c.md'), '# C\n\nText C.');
    await writeFile(path.join(only, 'README'), 'Read me first.');
    await symlink('real/a.md', path.join(only, 'b.md'));
    await symlink('real', path.join(only, 'shortcut'));
    // A file whose own name is not indexed gets a name through a link: the link is the only way to it.
    await symlink('README', path.join(only, 'readme.txt'));
    const ctx2 = collectingContext();
    const listed = await listSourceItems(only, ctx2);
    expect(listed.map((i) => i.relPath)).toEqual(['readme.txt', 'real/a.md', 'real/deep/c.md']);
    const texts = (await loadAll(listed, ctx2)).map((d) => d.text);
    expect(texts).toEqual(['Read me first.', expect.stringContaining('Text A.'), expect.stringContaining('Text C.')]);
    expect(ctx2.skipped).toEqual([]);
  });

  it('reads nothing from outside the folder, nor its hidden files', () => {
    expect(loaded.filter((d) => OUTSIDE.test(d.text) || OUTSIDE.test(d.title))).toEqual([]);
    expect(items.filter((i) => /passwd|secret|env|leak|up\/|private/.test(i.relPath))).toEqual([]);
  });

  it('names every skipped link and special file with the reason', () => {
    const outside = 'symbolic link leads outside the source folder';
    if (existsSync('/etc/passwd')) expect(reasonsFor('passwd.txt')).toEqual([outside]);
    expect(reasonsFor('secret.md')).toEqual([outside]);
    expect(reasonsFor('outside-dir')).toEqual([outside]);
    expect(reasonsFor('env.txt')).toEqual([outside]);
    expect(reasonsFor('up')).toEqual([outside]);
    expect(reasonsFor('private.md')).toEqual(['symbolic link leads to a hidden file or folder']);
    expect(reasonsFor('loop')).toEqual(['symbolic link loop (leads back to a folder above it)']);
    expect(reasonsFor('self.md')).toEqual(['symbolic link loop']);
    expect(reasonsFor('broken.md')).toEqual(['broken symbolic link']);
    expect(reasonsFor('agent.sock')).toEqual(['not a regular file (socket)']);
    if (fifo) expect(reasonsFor('pipe.md')).toEqual(['not a regular file (named pipe)']);
    if (device) expect(reasonsFor('zero.txt')).toEqual(['not a regular file (character device)']);
  });
});

describe('a file changed after the folder was listed', () => {
  let base: string;
  let docs: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir: base, cleanup } = await tmpFolder('docent-swap-'));
    docs = path.join(base, 'docs');
    await mkdir(docs);
    await writeFile(path.join(base, 'secret.md'), '# Secret\n\nOUTSIDE SECRET alpha');
  });
  afterAll(() => cleanup());

  it('is skipped, not waited for, when it became a named pipe', async (t) => {
    await writeFile(path.join(docs, 'notes.md'), '# Notes\n\nSome notes.');
    const ctx = collectingContext();
    const [item] = await listSourceItems(docs, ctx);
    await rm(item!.location);
    if (!makeFifo(item!.location)) return t.skip('mkfifo is not available');
    // Nobody ever writes to the pipe: a blocking open would wait forever.
    expect(await loadSourceItem(item!, ctx)).toEqual([]);
    expect(ctx.skipped).toEqual([{ location: item!.location, reason: 'not a regular file (named pipe)' }]);

    // A whole run over the folder finishes too, and so does the next one: nothing is left hanging.
    await writeFile(path.join(docs, 'guide.md'), '# Guide\n\nGauges record water level.');
    const opts = {
      dataDir: path.join(base, 'data'), sources: [docs], stores: createMemoryStoreFactory(), logger: pino({ level: 'silent' }),
      chunking: { size: 600, overlap: 60, recordSize: 2000 }, loader: { maxFileBytes: 2 ** 20, fetchTimeoutMs: 2000 },
      embedder: createHashEmbedder(64), batchSize: 16,
    };
    for (let run = 0; run < 2; run++) {
      const summary = await runIndex(opts);
      expect(summary.documents).toBe(1);
      expect(summary.skipped).toEqual([{ location: path.join(docs, 'notes.md'), reason: 'not a regular file (named pipe)' }]);
    }
    await rm(item!.location);
  });

  it('is skipped when it became a link out of the folder', async () => {
    await writeFile(path.join(docs, 'later.md'), '# Later\n\nHarmless.');
    const ctx = collectingContext();
    const item = (await listSourceItems(docs, collectingContext())).find((i) => i.relPath === 'later.md')!;
    await rm(item.location);
    await symlink(path.join(base, 'secret.md'), item.location);
    expect(await loadSourceItem(item, ctx)).toEqual([]);
    expect(ctx.skipped).toEqual([{ location: item.location, reason: 'symbolic link leads outside the source folder' }]);
  });

  it('is skipped when it grew past the size limit', async () => {
    await writeFile(path.join(docs, 'grows.md'), '# Grows\n\nsmall');
    const ctx = collectingContext({ maxFileBytes: 1024 });
    const item = (await listSourceItems(docs, collectingContext())).find((i) => i.relPath === 'grows.md')!;
    await writeFile(item.location, `# Grows\n\n${'x'.repeat(4096)}`);
    expect(await loadSourceItem(item, ctx)).toEqual([]);
    expect(ctx.skipped).toEqual([{ location: item.location, reason: 'file is 4 KB, over the 1 KB limit (LOADER_MAX_FILE_MB)' }]);
  });

  it('a configured source that is itself a named pipe is reported, not opened', async (t) => {
    const pipe = path.join(base, 'feed.json');
    if (!makeFifo(pipe)) return t.skip('mkfifo is not available');
    const ctx = collectingContext();
    expect(await listSourceItems(pipe, ctx)).toEqual([]);
    expect(ctx.skipped).toEqual([{ location: pipe, reason: 'not a regular file (named pipe)' }]);
  });
});
