/**
 * Reliability: hostile inputs in one folder run (plus hostile URLs) next to good files. Every hostile input
 * must be skipped (or loaded harmlessly) with a clear reason, the good files must still load, nothing may be
 * expanded or fetched that should not be, and the whole run must stay within a bounded memory growth.
 *
 * Each case records what it observed (`observe`, before asserting) for the generated report; cases.ts lists them.
 */
import { observe } from './observe.js';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentRecord } from '../../src/core/types.js';
import { withFetchPolicy } from '../../src/indexing/loaders/fetch-policy.js';
import { listSourceItems, loadSourceItem } from '../../src/indexing/sources.js';
import { collectingContext, textPdf, tmpFolder } from '../indexing/loaders/helpers.js';
import {
  billionLaughsXml,
  deepJson,
  emptyPagesPdf,
  fgdcRecord,
  hostileServer,
  invalidUtf8,
  quadraticBlowupXml,
  truncatedPdf,
  wrongTypesDcat,
  xxeFileXml,
  xxeHttpXml,
} from './hostile-files.js';

const MB = 1024 * 1024;
const MAX_RSS_GROWTH = 300 * MB;

const report = (c: string, observed: string): void => observe(`bad-input/${c}`, observed.slice(0, 300));

describe('bad input: hostile files and URLs next to good ones', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let server: Awaited<ReturnType<typeof hostileServer>>;
  const ctx = collectingContext({ maxFileBytes: 2 * MB, fetchTimeoutMs: 500 });
  const docs: DocumentRecord[] = [];
  const millis = new Map<string, number>();
  let rssBefore = 0;
  let rssPeak = 0;
  let rssAfter = 0;

  const at = (name: string) => path.join(dir, name);
  const skipsOf = (location: string) => ctx.skipped.filter((s) => s.location === location || s.location.startsWith(`${location}#`)).map((s) => s.reason);
  const docsOf = (predicate: (d: DocumentRecord) => boolean) => docs.filter(predicate);

  beforeAll(async () => {
    ({ dir, cleanup } = await tmpFolder('docent-bad-input-'));
    server = await hostileServer();
    const files: Record<string, string | Buffer> = {
      // good files that must still load
      'good/guide.md': '# Stream gauges\n\nGauges record water level every 15 minutes.\n',
      'good/readme.txt': 'Plain notes about precipitation collectors.\n',
      'good/manual.pdf': textPdf(['Installing a temperature logger']),
      'good/trails.xml': fgdcRecord('S_TEST.Trails', 'Trail centerlines &amp; junctions.'),
      'good/feed.json': JSON.stringify({ dataset: [{ title: 'Lakes', identifier: 'lakes-1', description: 'Lakes and ponds.' }] }),
      // 1. XML entities
      'xml/billion-laughs.xml': billionLaughsXml(),
      'xml/quadratic.xml': quadraticBlowupXml(),
      'xml/xxe-file.xml': xxeFileXml('/etc/passwd'),
      'xml/xxe-http.xml': xxeHttpXml(`${server.base}/xxe-target`),
      // 2. JSON
      'json/deep.json': deepJson(10_000),
      'json/wrong-types.json': wrongTypesDcat(),
      // 3. PDFs
      'pdf/empty-pages.pdf': emptyPagesPdf(3000),
      'pdf/truncated.pdf': truncatedPdf(),
      // 4. invalid UTF-8
      'text/bad-utf8.txt': invalidUtf8('Plain text notes'),
      'text/bad-utf8.md': Buffer.concat([Buffer.from('# Gauge Log\n\n'), invalidUtf8('Markdown notes')]),
      // 6. over the size limit
      'big/huge.txt': 'x'.repeat(3 * MB),
    };
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(at(name)), { recursive: true });
      await writeFile(at(name), content);
    }

    global.gc?.();
    rssBefore = process.memoryUsage().rss;
    rssPeak = rssBefore;
    const sample = () => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss));
    const timer = setInterval(sample, 10);
    try {
      // 5. a URL that sends headers and a little body, then hangs
      const sources = [dir, `${server.base}/hang`];
      // The hostile server is on loopback, which the fetch policy refuses unless it is allowed.
      await withFetchPolicy({ allowPrivate: false, allowHosts: ['127.0.0.1'] }, async () => {
        for (const source of sources) {
          for (const item of await listSourceItems(source, ctx)) {
            const started = performance.now();
            docs.push(...(await loadSourceItem(item, ctx)));
            millis.set(item.location, performance.now() - started);
            sample();
          }
        }
      });
    } finally {
      clearInterval(timer);
    }
    sample();
    rssAfter = process.memoryUsage().rss;
  });
  afterAll(async () => {
    await server?.close();
    await cleanup?.();
  });

  it('still loads every good file', () => {
    const ids = new Set(docs.map((d) => d.sourceId));
    const good = ['good/guide.md', 'good/readme.txt', 'good/manual.pdf', 'good/trails.xml', 'lakes-1'];
    report('good-files-beside-hostile', `${docs.length} documents; good ids ${good.every((id) => ids.has(id)) ? 'all present' : `MISSING ${good.filter((id) => !ids.has(id)).join(', ')}`}`);
    for (const id of ['good/guide.md', 'good/readme.txt', 'good/manual.pdf', 'good/trails.xml', 'lakes-1']) expect(ids).toContain(id);
    expect(docsOf((d) => d.sourceId === 'good/trails.xml')[0]!.text).toBe('Trail centerlines & junctions.');
  });

  it('1a. XML billion laughs: not expanded', () => {
    const loc = at('xml/billion-laughs.xml');
    const produced = docsOf((d) => d.path === loc);
    const skips = skipsOf(loc);
    report('xml-billion-laughs', skips.length ? `skipped: ${skips.join('; ')}` : produced.length ? `loaded: ${JSON.stringify(produced[0]!.text.slice(0, 80))}` : 'neither loaded nor skipped');
    // Either skipped with a reason, or loaded with the entity left unexpanded: never "lollollol…".
    expect(produced.length + skips.length).toBeGreaterThan(0);
    for (const d of produced) {
      expect(d.text).not.toMatch(/(lol){3}/);
      expect(d.text.length).toBeLessThan(1000);
    }
    expect(millis.get(loc)!).toBeLessThan(5000);
  });

  it('1b. XML quadratic blowup: stopped by the expansion limit', () => {
    const loc = at('xml/quadratic.xml');
    const skips = skipsOf(loc);
    report('xml-quadratic-blowup', `${docsOf((d) => d.path === loc).length} loaded; skipped: ${skips.join('; ') || 'no'}`);
    expect(docsOf((d) => d.path === loc)).toEqual([]);
    expect(skips).toEqual([expect.stringMatching(/^malformed XML: .*limit exceeded/)]);
  });

  it('1c. XML external entities: neither a local file nor a URL is read', () => {
    const fileLoc = at('xml/xxe-file.xml');
    const httpLoc = at('xml/xxe-http.xml');
    const all = docs.map((d) => `${d.title}\n${d.text}\n${Object.values(d.fields).join('\n')}`).join('\n');
    const targetRequests = server.requests.filter((u) => u.startsWith('/xxe-target')).length;
    report('xml-xxe-file', `skipped: ${skipsOf(fileLoc).join('; ') || 'no'}; /etc/passwd content ${/root:.*:0:0:/.test(all) ? 'LOADED' : 'absent'}`);
    report('xml-xxe-http', `skipped: ${skipsOf(httpLoc).join('; ') || 'no'}; loopback requests for the target: ${targetRequests}`);
    expect(all).not.toMatch(/root:.*:0:0:/);
    expect(all).not.toContain('SECRET-FROM-LOOPBACK');
    expect(server.requests.filter((u) => u.startsWith('/xxe-target'))).toEqual([]);
    const fileSkips = skipsOf(fileLoc);
    const httpSkips = skipsOf(httpLoc);
    expect(fileSkips).toEqual([expect.stringMatching(/^malformed XML: .*[Ee]xternal entit/)]);
    expect(httpSkips).toEqual([expect.stringMatching(/^malformed XML: .*[Ee]xternal entit/)]);
  });

  it('2a. JSON nested 10,000 deep: skipped, no stack overflow', () => {
    const loc = at('json/deep.json');
    const skips = skipsOf(loc);
    report('json-deep-10000', `${docsOf((d) => d.path === loc).length} loaded; skipped: ${skips.join('; ') || 'no'}`);
    expect(docsOf((d) => d.path === loc)).toEqual([]);
    expect(skips.at(-1)).toBe('no usable datasets in DCAT-US catalog');
    expect(skips.join('\n')).not.toMatch(/unexpected error|call stack/i);
  });

  it('2b. DCAT with missing fields and wrong types: valid datasets load, the rest are skipped with reasons', () => {
    const loc = at('json/wrong-types.json');
    const produced = docsOf((d) => d.path === loc);
    const byId = new Map(produced.map((d) => [d.sourceId, d]));
    report('dcat-wrong-types', `loaded ${produced.length} (${[...byId.keys()].sort().join(', ')}); skipped ${skipsOf(loc).length}`);
    expect([...byId.keys()].sort()).toEqual(['deep-fields', 'good-roads', 'numeric-title']);
    // Wrong but readable types are coerced, not crashed on.
    expect(byId.get('numeric-title')).toMatchObject({ title: '12345', keywords: ['single keyword'], text: '12345' });
    const skips = skipsOf(loc);
    expect(skips).toEqual([
      expect.stringMatching(/^dataset 2 in json\/wrong-types\.json has no title$/),
      expect.stringMatching(/^dataset 3 in json\/wrong-types\.json has no title$/),
      expect.stringMatching(/^dataset 4 in json\/wrong-types\.json has no identifier$/),
      expect.stringMatching(/^dataset 5 in json\/wrong-types\.json has no title$/),
      expect.stringMatching(/^dataset 6 in json\/wrong-types\.json has no title$/),
      expect.stringMatching(/^dataset 7 in json\/wrong-types\.json has no title$/),
    ]);
  });

  it('3a. PDF with 3000 empty pages: skipped quickly as having no text', () => {
    const loc = at('pdf/empty-pages.pdf');
    const skips = skipsOf(loc);
    const ms = millis.get(loc)!;
    report('pdf-3000-empty-pages', `${docsOf((d) => d.path === loc).length} loaded; skipped in ${Math.round(ms)} ms: ${skips.join('; ') || 'no'}`);
    expect(docsOf((d) => d.path === loc)).toEqual([]);
    expect(skips).toEqual(['no extractable text in PDF (scanned images?)']);
    expect(ms).toBeLessThan(30_000);
  });

  it('3b. truncated PDF: skipped as corrupt', () => {
    const loc = at('pdf/truncated.pdf');
    const skips = skipsOf(loc);
    report('pdf-truncated', `${docsOf((d) => d.path === loc).length} loaded; skipped: ${skips.join('; ') || 'no'}`);
    expect(docsOf((d) => d.path === loc)).toEqual([]);
    expect(skips).toEqual([expect.stringMatching(/^corrupt PDF: /)]);
  });

  it('4. invalid UTF-8 in .txt and .md: loaded, decoded as Windows-1252 (no crash, no skip)', () => {
    // Documented behaviour: bytes that are not valid UTF-8 fall back to Windows-1252, so "\xC3\x28" reads "Ã(";
    // the readable words around them are indexed intact.
    const txt = docsOf((d) => d.path === at('text/bad-utf8.txt'));
    const md = docsOf((d) => d.path === at('text/bad-utf8.md'));
    report('invalid-utf8-txt', txt[0] ? `loaded: ${JSON.stringify(txt[0].text.slice(0, 40))}` : `not loaded; skipped: ${skipsOf(at('text/bad-utf8.txt')).join('; ') || 'no'}`);
    report('invalid-utf8-md', md[0] ? `loaded, title ${JSON.stringify(md[0].title)}` : `not loaded; skipped: ${skipsOf(at('text/bad-utf8.md')).join('; ') || 'no'}`);
    expect(txt).toHaveLength(1);
    expect(md).toHaveLength(1);
    expect(txt[0]!.text).toContain('Plain text notes: before Ã( middle');
    expect(txt[0]!.text).toContain('water levels and snow pillows');
    expect(md[0]!.title).toBe('Gauge Log');
    expect(md[0]!.text).toContain('Markdown notes: before Ã( middle');
    expect(skipsOf(at('text/bad-utf8.txt'))).toEqual([]);
    expect(skipsOf(at('text/bad-utf8.md'))).toEqual([]);
  });

  it('5. an HTTP body that never finishes: skipped after the fetch timeout', () => {
    const loc = `${server.base}/hang`;
    const skips = skipsOf(loc);
    const ms = millis.get(loc)!;
    report('http-hanging-body', `${docsOf((d) => d.sourceRoot === loc).length} loaded; skipped in ${Math.round(ms)} ms: ${skips.join('; ') || 'no'}`);
    expect(docsOf((d) => d.sourceRoot === loc)).toEqual([]);
    expect(skips).toEqual(['could not fetch: timed out after 0.5 s']);
    expect(ms).toBeLessThan(5000);
  });

  it('6. a file over the size limit: skipped with the limit named', () => {
    const skips = skipsOf(at('big/huge.txt'));
    report('oversize-file', `skipped: ${skips.join('; ') || 'no'}`);
    expect(skips).toEqual(['file is 3 MB, over the 2 MB limit (LOADER_MAX_FILE_MB)']);
  });

  it('nothing surfaced as an unexpected error, and memory growth stayed bounded', () => {
    const growth = Math.max(rssPeak, rssAfter) - rssBefore;
    const unexpected = ctx.skipped.filter((s) => /unexpected error/.test(s.reason));
    report('memory', `peak growth ${(growth / MB).toFixed(1)} MB (before ${(rssBefore / MB).toFixed(0)} MB, peak ${(rssPeak / MB).toFixed(0)} MB); unexpected errors: ${unexpected.length}`);
    expect(unexpected).toEqual([]);
    expect(growth).toBeLessThan(MAX_RSS_GROWTH);
  });
});
