/**
 * A folder mixing good and broken files, and URLs served (or not) on loopback: every bad input is skipped
 * with onSkip naming it and saying why, and everything good next to it still loads.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentRecord } from '../../../src/core/types.js';
import { withFetchPolicy } from '../../../src/indexing/loaders/fetch-policy.js';
import { listSourceItems, loadSourceItem, type SourceItem } from '../../../src/indexing/sources.js';
import { collectingContext, deadPort, encryptedPdf, junkBytes, startServer, textPdf, tmpFolder } from './helpers.js';

const FGDC = `<?xml version="1.0" encoding="UTF-8"?>
<metadata><idinfo><citation><citeinfo><origin>Test Agency</origin><pubdate>20240105</pubdate>
<title>S_TEST.Trails</title><onlink>https://example.org/trails</onlink></citeinfo></citation>
<descript><abstract>Trail centerlines.</abstract><purpose>Trail planning.</purpose></descript>
<status><progress>Complete</progress><update>Annually</update></status>
<keywords><theme><themekt>None</themekt><themekey>Trails</themekey></theme></keywords>
</idinfo></metadata>`;

const DCAT = JSON.stringify({
  dataset: [
    { title: 'Roads', identifier: 'roads-1', description: '<p>Road <b>network</b> &amp; bridges</p>', landingPage: 'https://example.org/roads', keyword: ['roads'] },
    { title: 'Lakes', identifier: 'lakes-1', description: 'Lakes and ponds.', distribution: [{ title: 'CSV', downloadURL: 'https://example.org/lakes.csv' }] },
  ],
});

async function loadFolder(dir: string, ctx: ReturnType<typeof collectingContext>) {
  const items = await listSourceItems(dir, ctx);
  const docs: DocumentRecord[] = [];
  for (const item of items) docs.push(...(await loadSourceItem(item, ctx)));
  return { items, docs };
}

describe('a folder with broken files next to good ones', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const ctx = collectingContext({ maxFileBytes: 64 * 1024 });
  let result: Awaited<ReturnType<typeof loadFolder>>;
  const reasonFor = (name: string) => ctx.skipped.filter((s) => s.location === path.join(dir, name)).map((s) => s.reason);

  beforeAll(async () => {
    ({ dir, cleanup } = await tmpFolder());
    const good = textPdf(['First page text', '', 'Third page text'], 'Field Guide');
    const files: Record<string, string | Buffer> = {
      'guide.pdf': good,
      'notes.md': '---\ntitle: Field Notes\n---\n# Ignored heading\n\nSome notes.\n',
      'readme.txt': 'Plain words.\n',
      'page.html': '<html><head><title>Trail Page</title></head><body><h1>Trails</h1><p>Open all year.</p></body></html>',
      'feed.json': DCAT,
      'trails.xml': FGDC,
      'sub/deeper/nested.md': '# Nested\n\nDeep text.',
      // broken ones
      'corrupt.pdf': Buffer.concat([Buffer.from('%PDF-1.7\n'), junkBytes(4000)]),
      'truncated.pdf': good.subarray(0, 200),
      'locked.pdf': encryptedPdf(),
      'junk.md': junkBytes(5000),
      'broken.xml': '<metadata><idinfo><citation></idinfo></metadata>',
      'other.xml': '<?xml version="1.0"?><rss><channel><title>x</title></channel></rss>',
      'broken.json': '{"dataset": [ {"title": "x",, } ]',
      'other.json': '{"name": "package", "version": "1.0.0"}',
      'huge.txt': 'x'.repeat(100 * 1024),
      // ignored silently
      '.hidden.md': '# Hidden',
      '.git/config.md': '# Git internals',
      'picture.png': junkBytes(100),
      'doc.docx': junkBytes(100),
    };
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), content);
    }
    result = await loadFolder(dir, ctx);
  });
  afterAll(async () => cleanup());

  it('lists supported files only, hidden ones and other extensions ignored, relPaths POSIX and sorted', () => {
    expect(result.items.map((i) => i.relPath)).toEqual([
      'broken.json', 'broken.xml', 'corrupt.pdf', 'feed.json', 'guide.pdf', 'huge.txt', 'junk.md', 'locked.pdf',
      'notes.md', 'other.json', 'other.xml', 'page.html', 'readme.txt', 'sub/deeper/nested.md', 'trails.xml', 'truncated.pdf',
    ]);
    for (const item of result.items) {
      expect(item.sourceRoot).toBe(dir);
      expect(path.isAbsolute(item.location)).toBe(true);
      expect(item.size).toBeGreaterThan(0);
    }
  });

  it('skips each broken file with a reason that says what is wrong', () => {
    expect(reasonFor('corrupt.pdf')).toEqual([expect.stringMatching(/^corrupt PDF: /)]);
    expect(reasonFor('truncated.pdf')).toEqual([expect.stringMatching(/^corrupt PDF: /)]);
    expect(reasonFor('locked.pdf')).toEqual(['encrypted PDF (password required)']);
    expect(reasonFor('junk.md')).toEqual(['binary file, not text']);
    expect(reasonFor('broken.xml')).toEqual([expect.stringMatching(/^malformed XML: .+\(line \d+\)$/)]);
    expect(reasonFor('other.xml')).toEqual(['not an FGDC CSDGM record']);
    expect(reasonFor('broken.json')).toEqual([expect.stringMatching(/^malformed JSON: /)]);
    expect(reasonFor('other.json')).toEqual(['not a DCAT-US catalog (no dataset array)']);
    expect(reasonFor('huge.txt')).toEqual(['file is 100 KB, over the 64 KB limit (LOADER_MAX_FILE_MB)']);
    expect(ctx.skipped).toHaveLength(9);
  });

  it('still loads every good file', () => {
    const bySource = new Map<string, DocumentRecord[]>();
    for (const d of result.docs) bySource.set(d.sourceId, [...(bySource.get(d.sourceId) ?? []), d]);
    expect([...bySource.keys()].sort()).toEqual(['guide.pdf', 'lakes-1', 'notes.md', 'page.html', 'readme.txt', 'roads-1', 'sub/deeper/nested.md', 'trails.xml']);
    // The empty middle page is dropped; page numbers stay physical.
    expect(bySource.get('guide.pdf')!.map((d) => [d.page, d.text, d.title])).toEqual([
      [1, 'First page text', 'Field Guide'],
      [3, 'Third page text', 'Field Guide'],
    ]);
    expect(bySource.get('notes.md')![0]!.title).toBe('Field Notes');
    expect(bySource.get('notes.md')![0]!.text).toBe('# Ignored heading\n\nSome notes.');
    expect(bySource.get('page.html')![0]).toMatchObject({ kind: 'html', title: 'Trail Page', text: '# Trails\n\nOpen all year.' });
    expect(bySource.get('roads-1')![0]).toMatchObject({ kind: 'dcat', text: 'Road network & bridges', url: 'https://example.org/roads' });
    expect(bySource.get('lakes-1')![0]!.url).toBe('https://example.org/lakes.csv');
    expect(bySource.get('trails.xml')![0]).toMatchObject({ kind: 'fgdc', title: 'S_TEST.Trails', keywords: ['Trails'], modified: '2024-01-05' });
    expect(bySource.get('sub/deeper/nested.md')![0]!.path).toBe(path.join(dir, 'sub/deeper/nested.md'));
    const txt = bySource.get('readme.txt')![0]!;
    expect(txt).toMatchObject({ kind: 'text', title: 'readme', text: 'Plain words.', url: null, page: null });
    expect(txt.modified).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});

describe('single files and missing paths', () => {
  it('a missing path is reported and yields nothing', async () => {
    const ctx = collectingContext();
    const missing = path.join('/nonexistent-docent-dir', 'nope');
    expect(await listSourceItems(missing, ctx)).toEqual([]);
    expect(ctx.skipped).toEqual([{ location: missing, reason: 'not found' }]);
  });

  it('a single file source uses its basename as relPath; an unsupported one is reported', async () => {
    const { dir, cleanup } = await tmpFolder();
    try {
      await writeFile(path.join(dir, 'one.md'), '# One');
      await writeFile(path.join(dir, 'two.docx'), 'x');
      const ctx = collectingContext();
      const [item] = await listSourceItems(path.join(dir, 'one.md'), ctx);
      expect(item).toMatchObject({ relPath: 'one.md', sourceRoot: path.join(dir, 'one.md') });
      const docs = await loadSourceItem(item!, ctx);
      expect(docs.map((d) => [d.sourceId, d.title])).toEqual([['one.md', 'One']]);
      expect(await listSourceItems(path.join(dir, 'two.docx'), ctx)).toEqual([]);
      expect(ctx.skipped).toEqual([{ location: path.join(dir, 'two.docx'), reason: expect.stringMatching(/^unsupported file type \(\.docx\)/) }]);
    } finally {
      await cleanup();
    }
  });

  it('a file removed after listing is skipped, not thrown', async () => {
    const ctx = collectingContext();
    const gone: SourceItem = { location: '/nonexistent-docent-dir/a.md', relPath: 'a.md', sourceRoot: '/nonexistent-docent-dir', size: 1, mtimeMs: 0 };
    expect(await loadSourceItem(gone, ctx)).toEqual([]);
    expect(ctx.skipped).toEqual([{ location: gone.location, reason: 'not found' }]);
  });
});

describe('URL sources on loopback', () => {
  let base: string;
  let close: () => Promise<void>;
  const pdf = textPdf(['Served page']);

  beforeAll(async () => {
    ({ base, close } = await startServer((req, res) => {
      const send = (status: number, type: string | null, body: string | Buffer) => {
        if (type) res.setHeader('content-type', type);
        res.statusCode = status;
        res.end(body);
      };
      switch (req.url) {
        case '/data.json':
          return send(200, 'application/json; charset=utf-8', DCAT);
        case '/record':
          return send(200, 'text/xml', FGDC);
        case '/page':
          return send(200, 'text/html', '<html><head><title>Remote Page</title></head><body><p>Remote text.</p></body></html>');
        case '/manual':
          return send(200, 'application/octet-stream', pdf);
        case '/image.png':
          return send(200, 'image/png', junkBytes(500));
        case '/big-declared':
          return send(200, 'text/plain', 'y'.repeat(4096));
        case '/big-chunked': {
          // No Content-Length: the cap has to hold while streaming.
          res.setHeader('content-type', 'text/plain');
          for (let i = 0; i < 8; i++) res.write('z'.repeat(1024));
          return res.end();
        }
        case '/slow':
          return; // never answers
        default:
          return send(404, 'text/plain', 'not here');
      }
    }));
  });
  afterAll(async () => close());

  async function loadUrl(url: string, overrides: Parameters<typeof collectingContext>[0] = {}) {
    const ctx = collectingContext(overrides);
    const items = await listSourceItems(url, ctx);
    const docs: DocumentRecord[] = [];
    // The test server is on loopback, which the fetch policy refuses unless it is allowed.
    await withFetchPolicy({ allowPrivate: false, allowHosts: ['127.0.0.1'] }, async () => {
      for (const item of items) docs.push(...(await loadSourceItem(item, ctx)));
    });
    return { items, docs, skipped: ctx.skipped };
  }

  it('a URL is one item of unknown size', async () => {
    const ctx = collectingContext();
    expect(await listSourceItems(`${base}/data.json`, ctx)).toEqual([
      { location: `${base}/data.json`, relPath: `${base}/data.json`, sourceRoot: `${base}/data.json`, size: -1, mtimeMs: -1 },
    ]);
  });

  it('loads a DCAT feed served over HTTP', async () => {
    const { docs, skipped } = await loadUrl(`${base}/data.json`);
    expect(skipped).toEqual([]);
    expect(docs.map((d) => [d.sourceId, d.kind, d.path, d.sourceRoot])).toEqual([
      ['roads-1', 'dcat', null, `${base}/data.json`],
      ['lakes-1', 'dcat', null, `${base}/data.json`],
    ]);
  });

  it('sniffs FGDC XML, HTML and a PDF sent as octet-stream', async () => {
    const fgdc = await loadUrl(`${base}/record`);
    expect(fgdc.docs.map((d) => [d.kind, d.sourceId, d.title])).toEqual([['fgdc', `${base}/record`, 'S_TEST.Trails']]);
    const html = await loadUrl(`${base}/page`);
    expect(html.docs.map((d) => [d.kind, d.title, d.text, d.url])).toEqual([['html', 'Remote Page', 'Remote text.', `${base}/page`]]);
    const manual = await loadUrl(`${base}/manual`);
    expect(manual.docs.map((d) => [d.kind, d.page, d.text, d.title])).toEqual([['pdf', 1, 'Served page', 'manual']]);
  });

  it('skips a 404 with its status', async () => {
    const { docs, skipped } = await loadUrl(`${base}/missing.json`);
    expect(docs).toEqual([]);
    expect(skipped).toEqual([{ location: `${base}/missing.json`, reason: 'could not fetch: HTTP 404 Not Found' }]);
  });

  it('skips an unreachable URL with the connection error', async () => {
    const url = `http://127.0.0.1:${await deadPort()}/feed.json`;
    const { docs, skipped } = await loadUrl(url);
    expect(docs).toEqual([]);
    expect(skipped).toEqual([{ location: url, reason: expect.stringMatching(/^could not fetch: connect ECONNREFUSED 127\.0\.0\.1:\d+$/) }]);
  });

  it('skips a URL that does not answer in time', async () => {
    const { skipped } = await loadUrl(`${base}/slow`, { fetchTimeoutMs: 300 });
    expect(skipped).toEqual([{ location: `${base}/slow`, reason: 'could not fetch: timed out after 0.3 s' }]);
  });

  it('applies the size limit to downloads, declared or streamed', async () => {
    const declared = await loadUrl(`${base}/big-declared`, { maxFileBytes: 1024 });
    expect(declared.skipped).toEqual([{ location: `${base}/big-declared`, reason: 'download is 4 KB, over the 1 KB limit (LOADER_MAX_FILE_MB)' }]);
    const chunked = await loadUrl(`${base}/big-chunked`, { maxFileBytes: 2048 });
    expect(chunked.skipped).toEqual([{ location: `${base}/big-chunked`, reason: 'download is over the 2 KB limit (LOADER_MAX_FILE_MB)' }]);
  });

  it('skips content it cannot read', async () => {
    const { skipped } = await loadUrl(`${base}/image.png`);
    expect(skipped).toEqual([{ location: `${base}/image.png`, reason: 'unsupported content type: image/png' }]);
  });
});
