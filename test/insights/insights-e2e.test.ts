/**
 * `docent insights` over an activity log written by real Docent runs: the runtime's services over the sample
 * catalog (data/sample, no-download embedder, extractive answers) answer a few catalog questions, refuse a few
 * off-topic ones as not found, and record a 👎 through the feedback path; then the real `docent` bin reports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import type { FinishInfo } from '../../src/core/answer/types.js';
import type { InsightsReport } from '../../src/insights/insights-report.js';
import type { AnswerSurface } from '../../commands/services.js';
import { openRuntime } from '../../src/runtime/docent-runtime.js';
import { docentCli } from '../helpers/docent-cli.js';

const repo = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-insights-e2e-'));
const dataDir = path.join(work, 'data');
const docent = docentCli(work, dataDir);
const finishes: Array<{ question: string; answerId: string; info: FinishInfo }> = [];

const answerable = ['where should I install a temperature logger in a stream?', 'who may access the data?'];
// Off-topic: the first two (one gap, two wordings) get near misses from the search, the passport one none.
const offTopic = ['price of a new car', 'New car prices?', 'how do I renew my passport?'];

beforeAll(async () => {
  const config = loadConfig({ env: { EMBEDDER: 'word-vectors' }, overrides: { dataDir, sources: [path.join(repo, 'data/sample')] } });
  const rt = await openRuntime(config, pino({ level: 'silent' }), { indexIfEmpty: true });
  try {
    const ask = async (question: string, surface: AnswerSurface, askerId?: string) => {
      const { answerId, parts } = rt.services.ask({ text: question, history: [], ...(askerId ? { askerId } : {}) }, { surface });
      for await (const p of parts) if (p.type === 'finish') finishes.push({ question, answerId, info: p.info });
    };
    await ask(answerable[0]!, 'slack', 'U0SECRETUSER');
    await ask(answerable[1]!, 'discord', '123456789012345678');
    await ask(offTopic[0]!, 'web', 'web:10.0.0.9');
    await ask(offTopic[1]!, 'slack', 'U0SECRETUSER');
    await ask(offTopic[2]!, 'console');
    // 👎 on the first answer, through the same path the chat buttons use.
    await rt.services.recordFeedback({ answerId: finishes[0]!.answerId, vote: 'down', userId: 'U0SECRETUSER', platform: 'slack' });
  } finally {
    await rt.close();
  }
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('docent insights over a log written by Docent', () => {
  it('the runs answered the catalog questions and refused the off-topic ones (the premise)', () => {
    expect(finishes.map((f) => f.info.notFound)).toEqual([false, false, true, true, true]);
    expect(finishes[0]!.info.citations.length).toBeGreaterThan(0);
  });

  it('lists the not-found questions, grouped, and the 👎 answer with its sources, in plain text', async () => {
    const { stdout, stderr } = await docent(['insights']);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Docent insights — last 7d/);
    expect(stdout).toMatch(/Questions: 5 from 4 people/);
    expect(stdout).toMatch(/×2 \(2 people\) "(price of a new car|New car prices\?)"/);
    expect(stdout).toMatch(/also asked: "(price of a new car|New car prices\?)"/);
    expect(stdout).toContain('×1 (1 person) "how do I renew my passport?"');
    expect(stdout.split('\n').find((l) => l.includes('closest records:'))).toContain(finishes[2]!.info.nearest![0]!.title);
    expect(stdout).toMatch(/Answers rated 👎 — 1\n─+\n {2}- .*\[slack\] "where should I install a temperature logger in a stream\?" — 👎 1/);
    const cited = finishes[0]!.info.citations[0]!;
    expect(stdout).toContain(cited.title);
    expect(stdout).toMatch(/Never-cited sources\n─+\n {2}\d+ of \d+ indexed records/);
    // Plain text: no escape codes, no JSON log lines, and no raw user id anywhere.
    expect(stdout).not.toMatch(/\u001b|"level":/);
    expect(stdout).not.toContain('U0SECRETUSER');
  });

  it('--json parses and carries the same findings, with no user ids', async () => {
    const { stdout } = await docent(['insights', '--json', '--since', '24h']);
    const r = JSON.parse(stdout) as InsightsReport;
    expect(r.window.label).toBe('24h');
    expect(r.totals).toMatchObject({ questions: 5, notFound: 3, errors: 0, votesDown: 1 });
    expect(r.notFound.map((g) => g.count)).toEqual([2, 1]);
    // The closest records are the near misses the refusal named, now kept in the log.
    expect(r.notFound[0]!.closest.map((c) => c.title).sort()).toEqual(finishes[2]!.info.nearest!.map((n) => n.title).sort());
    expect(r.notFound[0]!.closest.length).toBeGreaterThan(0);
    expect(r.downvoted).toHaveLength(1);
    expect(r.downvoted[0]).toMatchObject({ question: answerable[0], surface: 'slack', down: 1 });
    expect(r.downvoted[0]!.sources.map((s) => s.sourceId)).toEqual(finishes[0]!.info.citations.map((c) => c.sourceId));
    expect(r.surfaces).toEqual(['discord', 'slack', 'web', 'console']);
    expect(r.perDay.reduce((n, d) => n + d.total, 0)).toBe(5);
    expect(r.neverCited.available).toBe(true);
    expect(r.mostCited.length).toBeGreaterThan(0);
    expect(stdout).not.toMatch(/U0SECRETUSER|123456789012345678|10\.0\.0\.9|"user"/);
  });

  it('--csv is one table with a kind column', async () => {
    const { stdout } = await docent(['insights', '--csv']);
    const lines = stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('kind,count,people,up_votes,last_at,surfaces,question,other_wordings,sources,answer_id');
    expect(lines.filter((l) => l.startsWith('not-found,'))).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('thumbs-down,'))).toHaveLength(1);
  });

  it('refuses a bad --since with one line', async () => {
    await expect(docent(['insights', '--since', 'forever'])).rejects.toMatchObject({ stderr: expect.stringMatching(/^docent: --since must be a whole number of hours \(h\), days \(d\) or weeks \(w\), e\.g\. 24h, 7d, 2w or 30d/) });
  });
});
