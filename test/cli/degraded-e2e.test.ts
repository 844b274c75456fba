/**
 * "A dead optional reranker must not fail every search": the real `docent search` and `docent ask` with
 * RERANKER=tei pointed at a loopback port nobody listens on. Both still return the right record from the
 * sample catalog, and both say which part was left out and why (`degraded` in --json, a note in the answer).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docentCli } from '../helpers/docent-cli.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'docent-degraded-'));
const dataDir = path.join(work, 'data');
let closedPort = 0;

/** A port that was just free: bound, then released, so a connection to it is refused. */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

const docent = docentCli(work, dataDir);

const deadReranker = () => ({ RERANKER: 'tei', RERANK_URL: `http://127.0.0.1:${closedPort}/rerank` });
const QUESTION = 'where should I install a temperature logger in a stream?';

describe('retrieval degrades instead of failing when the reranker is dead', () => {
  beforeAll(async () => {
    closedPort = await freePort();
    await docent(['index']);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('docent search still finds the field manual page and reports the reranker as left out', async () => {
    const out = JSON.parse((await docent(['search', QUESTION, '--json', '--k', '3'], deadReranker())).stdout) as {
      hits: Array<{ sourceId: string; page: number | null }>;
      degraded: Array<{ part: string; reason: string }>;
    };
    expect(out.hits.slice(0, 3).some((h) => h.sourceId === 'reports/field-manual.pdf' && h.page === 2)).toBe(true);
    expect(out.degraded).toHaveLength(1);
    expect(out.degraded[0]!.part).toBe('reranker');
    expect(out.degraded[0]!.reason).not.toBe('');
  });

  it('docent ask answers from the right page, says so in finish.degraded and as a short note', async () => {
    const r = await docent(['ask', QUESTION, '--json'], deadReranker());
    const out = JSON.parse(r.stdout) as { answer: string; citations: Array<{ title: string; page: number | null }>; degraded: Array<{ part: string }> };
    expect(out.degraded.map((d) => d.part)).toEqual(['reranker']);
    expect(out.citations.some((c) => c.page === 2)).toBe(true);
    expect(out.answer).toMatch(/_Note: the reranker was unavailable, so these results come from a simpler search and may be less complete\._$/);
    // The note names no host or port: those stay in the log and in `degraded`.
    expect(out.answer).not.toContain(String(closedPort));
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace on the terminal
  });

  it('with a healthy configuration nothing is reported as degraded', async () => {
    const out = JSON.parse((await docent(['search', QUESTION, '--json'], { RERANKER: 'word-vectors' })).stdout) as { degraded: unknown[] };
    expect(out.degraded).toEqual([]);
  });
});
