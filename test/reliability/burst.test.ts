/**
 * 200 questions arrive at once at a real runtime (sample catalog, extractive answers): the bounded queue answers
 * as many as it can hold and tells the rest, at once, to try again — no question is dropped silently, and
 * memory stays bounded.
 */
import { observe } from './observe.js';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import type { AnswerPart } from '../../src/core/answer/types.js';
import { openRuntime, type OpenedRuntime } from '../../src/runtime/docent-runtime.js';

const repo = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-burst-'));
let rt: OpenedRuntime;

beforeAll(async () => {
  cpSync(path.join(repo, 'data/sample'), path.join(work, 'docs'), { recursive: true });
  const config = loadConfig({
    env: { EMBEDDER: 'word-vectors', ANSWER_CACHE_TTL_SECONDS: '0', ANSWER_MAX_CONCURRENT: '4', ANSWER_MAX_QUEUED: '40', ANSWER_PER_USER_LIMIT: '3' },
    overrides: { dataDir: path.join(work, 'data'), sources: [path.join(work, 'docs')] },
  });
  rt = await openRuntime(config, pino({ level: 'silent' }), { indexIfEmpty: true });
});
afterAll(async () => {
  await rt.close();
  rmSync(work, { recursive: true, force: true });
});

describe('a burst of 200 questions', () => {
  it('answers what fits, tells the rest to try again quickly, and drops none', async () => {
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const parts: AnswerPart[] = [];
        for await (const p of rt.services.ask({ text: `where should the temperature logger go? (${i})`, history: [], askerId: `user-${i % 50}` }).parts) parts.push(p);
        const last = parts.at(-1);
        return { last, ms: performance.now() - started };
      }),
    );
    const answered = outcomes.filter((o) => o.last?.type === 'finish');
    const busy = outcomes.filter((o) => o.last?.type === 'error' && o.last.error.code === 'busy');
    const growthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    observe('load/200-questions-at-once', `${answered.length} answered, ${busy.length} busy, ${200 - answered.length - busy.length} other, RSS +${growthMb.toFixed(0)} MB`);
    expect(answered.length + busy.length).toBe(200);
    expect(answered.length).toBeGreaterThanOrEqual(44); // 4 running + 40 queued at the start, more as slots free
    expect(busy.length).toBeGreaterThan(0);
    // A refusal is immediate: every busy answer came back before the first queued answer could have finished.
    expect(Math.max(...busy.map((b) => b.ms))).toBeLessThan(Math.max(...answered.map((a) => a.ms)));
    for (const b of busy) expect(b.last?.type === 'error' && b.last.error.message).toMatch(/try again in \d+ s/);
    expect(growthMb).toBeLessThan(300);
  });
});
