/**
 * The zero-config main job as a new user meets it: `docent start` with no tokens, a fresh data dir and the
 * sample catalog — it indexes first, opens the terminal chat, streams answers with citations, keeps the
 * context for a follow-up, and exits cleanly at end of input. Plus `docent ask --json` over the USFS catalog.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireShared } from '../helpers/require-shared.js';

const repo = path.resolve(import.meta.dirname, '../..');
// The USFS suite below skips with a message without ../shared (and fails in CI); the sample-catalog ones always run.
const usfs = requireShared('docent ask --json over the USFS catalog', 'catalogs/usfs');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-chat-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the bin with `stdin` piped in and closed; resolves with the exit code and output. */
function docent(args: string[], stdin: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'bin/docent.js'), ...args], {
      cwd: repo,
      // No platform or LLM tokens: the zero-config path. EMBEDDER stays auto (falls back offline).
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work, LOG_LEVEL: 'warn', LOG_PRETTY: 'never', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

describe('docent start (zero config)', () => {
  it('indexes the sample catalog, answers with citations, follows up, and exits at end of input', async () => {
    const dataDir = path.join(work, 'data');
    const r = await docent(['start', '--data-dir', dataDir], 'where should I install a temperature logger in a stream?\nand in winter?\n');
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Built index version 1: \d+ documents/);
    expect(r.stdout).toMatch(/^Docent — \d+ documents/);
    expect(r.stdout).toContain('Answers: excerpts (no LLM).');
    // Two answers, each with quoted excerpts and a source list naming the field manual's page.
    expect(r.stdout.match(/Excerpts from the catalog \(no language model was used\):/g)).toHaveLength(2);
    expect(r.stdout).toMatch(/Sources:\n(\s+\[\d\] .+\n)*\s+\[\d\] Cascade Watershed Observatory Field Manual — .*field-manual\.pdf \(page 2\)/);
    expect(r.stdout).toMatch(/answered by excerpts \(no LLM\)/);
  });
});

describe.skipIf(!usfs.present)('docent ask --json over the USFS catalog', () => {
  it('cites the right record', async () => {
    const dataDir = path.join(work, 'usfs');
    const source = usfs.dir;
    const idx = await docent(['index', '--data-dir', dataDir, '--source', source], '');
    expect(idx.code).toBe(0);
    const r = await docent(['ask', '--data-dir', dataDir, 'where can I find maps of timber harvests reported in FACTS?', '--json'], '', { SOURCES: source });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { answer: string; backend: string; citations: Array<{ sourceId: string; title: string }>; timings: { totalMs: number } };
    expect(out.backend).toBe('extractive');
    expect(out.answer).toMatch(/^Excerpts from the catalog/);
    const cited = out.citations.map((c) => `${c.sourceId} ${c.title}`);
    expect(cited.some((c) => /Actv_TimberHarvest\.xml|Timber Harvests/.test(c)), cited.join('\n')).toBe(true);
    expect(out.timings.totalMs).toBeGreaterThan(0);
  });
});
