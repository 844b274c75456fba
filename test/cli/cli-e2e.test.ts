/**
 * The "Done when", run as a user would: the real `docent` bin, its own embedded Chroma server, the
 * no-download embedder, the real shared catalogs and manuals (copied to a tmp folder with a corrupt PDF added).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireShared } from '../helpers/require-shared.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const shared = path.resolve(repo, '../shared');
const hasShared = requireShared('docent CLI end to end', 'catalogs/usfs').present;

async function docent(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(repo, 'bin/docent.js'), ...args], {
      cwd: repo,
      env: { ...process.env, LOG_LEVEL: 'warn', LOG_PRETTY: 'never', EMBEDDER: 'word-vectors', ...env },
      maxBuffer: 64 * 2 ** 20,
      timeout: 240_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.skipIf(!hasShared)('docent CLI end to end', () => {
  let work: string;
  let dataDir: string;
  let pdfs: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'docent-e2e-'));
    dataDir = path.join(work, 'data');
    pdfs = path.join(work, 'pdfs');
    cpSync(path.join(shared, 'pdfs'), pdfs, { recursive: true });
    writeFileSync(path.join(pdfs, 'corrupt.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 0x8f)]));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('indexes every file, names the corrupt PDF and why, and indexes the rest', async () => {
    const r = await docent(['index', '--data-dir', dataDir, '--source', path.join(shared, 'catalogs/usfs'), '--source', pdfs]);
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Built index version 1: 1102 documents/); // 192 FGDC + 542 DCAT + 311 + 57 PDF pages
    expect(r.stdout).toMatch(/Skipped 1:\n\s+\S*corrupt\.pdf — corrupt PDF/);
  });

  it('finds the timber-harvest dataset first for the record-worded question', async () => {
    const r = await docent(['search', '--data-dir', dataDir, 'timber harvest activities reported in FACTS', '--json']);
    expect(r.code).toBe(0);
    const { hits, degraded } = JSON.parse(r.stdout) as { degraded: unknown[]; hits: Array<{ sourceId: string; title: string; page: number | null; score: number; id: string; url: string | null; text: string }> };
    expect(degraded).toEqual([]);
    expect(Object.keys(hits[0]!)).toEqual(expect.arrayContaining(['id', 'sourceId', 'title', 'page', 'url', 'score', 'text']));
    const first = hits[0]!;
    const isTimber = first.sourceId === 'fsgeodata/Actv_TimberHarvest.xml' || /^Timber Harvests\b/.test(first.title);
    expect(isTimber, `first hit was ${first.sourceId} (${first.title})`).toBe(true);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it('finds the gnuplot manual\'s multiplot page first among the catalogs and both manuals', async () => {
    // Paraphrases that share few words with the page ("draw several plots side by side") are BM25's weak spot;
    // the eval's PDF set measures them (npm run eval). This checks the page-level path end to end.
    const r = await docent(['search', '--data-dir', dataDir, 'put several plots next to each other on the same page', '--json', '--k', '3']);
    const top = (JSON.parse(r.stdout) as { hits: Array<{ sourceId: string; page: number | null }> }).hits[0]!;
    expect(top).toMatchObject({ sourceId: 'gnuplot.pdf' });
    expect([172, 173]).toContain(top.page); // "Multiplot: … several plots are placed next to each other on the same page"
  });

  it('reindexes with nothing changed without rebuilding', async () => {
    const r = await docent(['index', '--data-dir', dataDir, '--source', path.join(shared, 'catalogs/usfs'), '--source', pdfs]);
    expect(r.stdout).toMatch(/Nothing changed; index version 1 kept/);
  });

  it('reports status and refuses to search with a different embedder', async () => {
    const status = JSON.parse((await docent(['status', '--data-dir', dataDir, '--json'])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ documents: 1102, version: 1, indexEmbedder: { id: 'word-vectors:wink-sg100d@1', dimension: 100 }, embedderMatches: true });
    const r = await docent(['search', '--data-dir', dataDir, 'fire'], { EMBEDDER: 'hash' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/built with embedder word-vectors:wink-sg100d@1 \(100-d\).*active embedder is hash:v1-512 \(512-d\)/);
    expect(r.stderr).toMatch(/docent index/);
  });

  it('stops with one line naming the key for a bad config value', async () => {
    const r = await docent(['status', '--data-dir', dataDir], { SEARCH_K: 'lots' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('docent: SEARCH_K: must be a number, got "lots" — set SEARCH_K to a number');
    const bad = await docent(['status', '--data-dir', dataDir], { CHROMA_URL: 'chroma-host:8000' });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^docent: chroma\.url \(CHROMA_URL\): .* — fix chroma\.url in config\/\*\.yaml or set CHROMA_URL/);
  });
});
