/**
 * The parse worker from the compiled build: plain `node` (no tsx) on dist/ must find and start
 * dist/src/indexing/parse-worker.js, the way the Docker image and `docent start` run. The other suites cover the
 * TypeScript entry (parse-worker-tsx.mjs). The vitest global setup compiles dist/ before every run, so a missing
 * or stale build is a failure here, not a skip.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { textPdf, tmpFolder } from './loaders/helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src', 'indexing');
const DIST = path.join(ROOT, 'dist', 'src', 'indexing');

/** Why dist/ cannot be trusted for this test, or null when every indexing module is built and newer than its source. */
function staleDist(): string | null {
  const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  for (const rel of sources) {
    const built = path.join(DIST, rel.replace(/\.ts$/, '.js'));
    if (!existsSync(built)) return `dist/ has no ${path.relative(ROOT, built)}`;
    if (statSync(built).mtimeMs < statSync(path.join(SRC, rel)).mtimeMs) return `${path.relative(ROOT, built)} is older than its source`;
  }
  return null;
}

const SCRIPT = `
const { listSourceItems, loadSourceItem } = await import(process.argv[1]);
const skipped = [];
const ctx = { maxFileBytes: 2 ** 20, fetchTimeoutMs: 1000, onSkip: (s) => skipped.push(s),
  parse: { timeoutMs: 30000, maxMemoryMb: 256, maxPdfPages: 5 } };
const docs = [];
for (const item of await listSourceItems(process.argv[2], ctx)) docs.push(...(await loadSourceItem(item, ctx)));
console.log(JSON.stringify({ docs: docs.map((d) => [d.sourceId, d.page]), skipped }));
`;

describe('the parse worker from the compiled build', () => {
  it('parses in a worker thread under plain node', async () => {
    expect(staleDist()).toBeNull();
    const { dir, cleanup } = await tmpFolder('docent-dist-');
    try {
      await writeFile(path.join(dir, 'manual.pdf'), textPdf(['First page', 'Second page']));
      await writeFile(path.join(dir, 'long.pdf'), textPdf(Array.from({ length: 8 }, (_, i) => `Page ${i + 1}`)));
      await writeFile(path.join(dir, 'notes.md'), '# Notes\n\nSome notes.');
      const entry = pathToFileURL(path.join(DIST, 'sources.js')).href;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', SCRIPT, entry, dir], { cwd: ROOT, timeout: 60_000 });
      expect(JSON.parse(stdout)).toEqual({
        docs: [['manual.pdf', 1], ['manual.pdf', 2], ['notes.md', null]],
        skipped: [{ location: path.join(dir, 'long.pdf'), reason: 'PDF has 8 pages, over the 5-page limit (LOADER_PDF_MAX_PAGES)' }],
      });
    } finally {
      await cleanup();
    }
  });

  it('parses under a heap flag the operator gave node (a thread may not inherit it)', async () => {
    const { dir, cleanup } = await tmpFolder('docent-dist-flags-');
    try {
      await writeFile(path.join(dir, 'notes.md'), '# Notes\n\nSome notes.');
      const entry = pathToFileURL(path.join(DIST, 'sources.js')).href;
      const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=2048', '--input-type=module', '-e', SCRIPT, entry, dir], { cwd: ROOT, timeout: 60_000 });
      expect(JSON.parse(stdout)).toEqual({ docs: [['notes.md', null]], skipped: [] });
    } finally {
      await cleanup();
    }
  });
});
