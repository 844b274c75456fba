/**
 * The services adapters talk to, with a scripted pipeline and the real admission queue, activity log, channel
 * scopes and commands: a DM or an unlisted channel gets "no catalog" (never the whole catalog) once channels are
 * scoped, `/sources` and `/status` show what the channel may search, an answer is recorded only after its finish
 * part and still finishes with sources when the activity folder cannot be written, and a queued question
 * abandoned by its asker frees its place.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findCommand } from '../../commands/index.js';
import type { DocentServices } from '../../commands/services.js';
import type { Invoker } from '../../commands/invoker.js';
import { loadConfig } from '../../src/config/load-config.js';
import { AdmissionControl } from '../../src/core/answer/admission.js';
import type { AnswerPipeline } from '../../src/core/answer/answer-pipeline.js';
import type { FallbackChain } from '../../src/core/answer/fallback-chain.js';
import type { AnswerPart, Question } from '../../src/core/answer/types.js';
import { ActivityLog } from '../../src/runtime/activity-log.js';
import { createDocentServices } from '../../src/runtime/docent-services.js';
import type { ReindexRunner } from '../../src/runtime/reindex-runner.js';
import type { SearchService } from '../../src/runtime/search-service.js';
import { drain } from '../helpers/answers.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'docent-services-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let dirs = 0;

const PASSAGE = { n: 1, chunkId: 'c1', sourceId: 'guide.md', title: 'Guide', url: null, path: '/docs/guide.md', page: null, kind: 'markdown' as const, text: 'The guide.' };

/** A pipeline that answers at once, or — for questions in `held` — waits until released; it records what it was asked. */
function scriptedPipeline() {
  const asked: Question[] = [];
  const gates = new Map<string, () => void>();
  const pipeline = {
    async *answer(q: Question, signal?: AbortSignal): AsyncGenerator<AnswerPart> {
      asked.push(q);
      if (q.text.startsWith('hold')) await new Promise<void>((resolve) => gates.set(q.text, resolve));
      if (signal?.aborted) return;
      yield { type: 'sources', passages: [PASSAGE] };
      yield { type: 'text-delta', text: 'See the guide [1].' };
      yield {
        type: 'finish',
        info: {
          finishReason: 'stop', text: 'See the guide [1].', citations: [{ n: 1, passage: 1, title: 'Guide', sourceId: 'guide.md', url: null, path: '/docs/guide.md', page: null }],
          backend: 'extractive', fallbacks: [], degraded: [], cached: false, notFound: false, searchQuery: q.text, timings: { retrievalMs: 1, firstTokenMs: 1, totalMs: 2 },
        },
      };
    },
  };
  return { pipeline: pipeline as unknown as AnswerPipeline, asked, release: (text: string) => gates.get(text)?.() };
}

async function servicesWith(o: { channelSources?: Record<string, string[]>; dataDir?: string; limits?: { maxConcurrent: number; maxQueued: number; perUser: number } } = {}) {
  const dataDir = o.dataDir ?? path.join(work, `data-${++dirs}`);
  const config = loadConfig({
    env: { CHANNEL_SOURCES: JSON.stringify(o.channelSources ?? {}) },
    overrides: { dataDir, sources: ['/docs', '/catalogs/usfs.json'] },
  });
  const activity = await ActivityLog.open(dataDir, { retentionDays: 30, hashUsers: true, hashKey: '' });
  const { pipeline, asked, release } = scriptedPipeline();
  const manifest = {
    version: 4, documents: 12, chunks: 40, builtAt: new Date().toISOString(), checkedAt: new Date().toISOString(),
    perSource: { '/docs': { documents: 2, chunks: 10 }, '/catalogs/usfs.json': { documents: 10, chunks: 30 } },
  };
  const services = createDocentServices({
    config, pipeline, activity,
    chain: { status: () => [{ backend: 'extractive', state: 'closed', failures: 0, openUntil: null }] } as unknown as FallbackChain,
    search: () => ({ manifest }) as unknown as SearchService,
    embedder: { id: 'word-vectors:test', fallback: true },
    reindex: { running: false, lastRuns: () => [{ trigger: 'schedule', finishedAt: new Date().toISOString(), ok: true, summary: 'version 4 built: 12 documents' }] } as unknown as ReindexRunner,
    schedule: () => undefined,
    admission: new AdmissionControl(o.limits ?? { maxConcurrent: 4, maxQueued: 10, perUser: 3 }),
  });
  return { services, asked, release, activity, dataDir };
}

const textOf = (parts: AnswerPart[]) => parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('');
const invoker = (channelId?: string): Invoker => ({ platform: 'slack', userId: 'U1', roleIds: [], ...(channelId ? { channelId } : {}) });

/** What an adapter does: the channel's scope goes into the question as is. */
function askIn(services: DocentServices, channelId: string | undefined, text: string) {
  const sources = services.scopeFor(channelId);
  return services.ask({ text, history: [], askerId: 'U1', ...(sources ? { sources } : {}) });
}

async function command(services: DocentServices, name: string, channelId?: string): Promise<string> {
  const reply = await findCommand(name)!.run({ args: {}, invoker: invoker(channelId), services });
  if (reply.type !== 'text') throw new Error(`expected text from ${name}`);
  return reply.markdown;
}

describe('channel scoping (CHANNEL_SOURCES)', () => {
  it('without CHANNEL_SOURCES every channel and DM searches the whole catalog', async () => {
    const { services, asked } = await servicesWith();
    expect(services.scopeFor('C-any')).toBeUndefined();
    await drain(askIn(services, 'D-dm', 'where is the guide?').parts);
    expect(asked[0]!.sources).toBeUndefined();
    expect(await command(services, 'sources', 'D-dm')).toContain('`/catalogs/usfs.json` — 10 documents');
  });

  it('once set, a DM and an unlisted channel get a polite "no catalog" answer and nothing is searched', async () => {
    const { services, asked } = await servicesWith({ channelSources: { 'C-docs': ['/docs'] } });
    for (const where of ['D-dm', 'C-unlisted']) {
      const parts = await drain(askIn(services, where, 'where is the guide?').parts);
      expect(parts.map((p) => p.type)).toEqual(['sources', 'text-delta', 'finish']);
      expect(parts[0]).toEqual({ type: 'sources', passages: [] });
      expect(textOf(parts)).toMatch(/^This channel has no catalog to search/);
    }
    expect(asked).toEqual([]);
    expect(await command(services, 'sources', 'D-dm')).toBe('This channel has no catalog to search.');
    expect(await command(services, 'status', 'D-dm')).toContain('no catalog in this channel');
    // The listed channel searches its own sources only, and sees only them.
    await drain(askIn(services, 'C-docs', 'where is the guide?').parts);
    expect(asked.map((q) => q.sources)).toEqual([['/docs']]);
    const listed = await command(services, 'sources', 'C-docs');
    expect(listed).toBe('**Sources in this channel** (2 documents)\n• `/docs` — 2 documents, 10 passages');
    const status = await command(services, 'status', 'C-docs');
    expect(status).toContain("version 4, 2 documents, 10 passages in this channel's sources");
    expect(status).not.toContain('12 documents');
    // The operator's terminal (no channel) is not a chat channel: it sees everything.
    expect(services.scopeFor(undefined)).toBeUndefined();
  });

  it('a default entry decides what unlisted channels and DMs see; "*" is the whole catalog', async () => {
    const scoped = await servicesWith({ channelSources: { 'C-docs': ['/docs'], default: ['/catalogs/usfs.json/usfs-123'] } });
    expect(scoped.services.scopeFor('D-dm')).toEqual(['/catalogs/usfs.json/usfs-123']);
    expect(scoped.services.scopeFor('C-docs')).toEqual(['/docs']);
    expect(await command(scoped.services, 'sources', 'D-dm')).toBe('**Sources in this channel** (1 documents)\n• `/catalogs/usfs.json/usfs-123` — one document');
    const open = await servicesWith({ channelSources: { 'C-docs': ['/docs'], default: ['*'], 'C-none': [] } });
    expect(open.services.scopeFor('D-dm')).toBeUndefined();
    expect(open.services.scopeFor('C-none')).toEqual([]);
  });
});

describe('activity around an answer', () => {
  it('records the answer only after its finish part has been passed on', async () => {
    const { services, activity, dataDir } = await servicesWith();
    const file = path.join(dataDir, 'activity/answers.jsonl');
    const read = () => {
      try {
        return readFileSync(file, 'utf8');
      } catch {
        return '';
      }
    };
    const { answerId, parts } = services.ask({ text: 'where is the guide?', history: [] });
    let atFinish: string | undefined;
    for await (const p of parts) {
      if (p.type === 'finish') {
        await new Promise((r) => setTimeout(r, 20));
        atFinish = read();
      }
    }
    await activity.flush();
    expect(atFinish).toBe('');
    expect(JSON.parse(read())).toMatchObject({ answerId, question: 'where is the guide?', citations: [{ n: 1, title: 'Guide', sourceId: 'guide.md', page: null }] });
    await services.recordFeedback({ answerId, vote: 'up', userId: 'U1', platform: 'slack' });
    expect((await services.status()).feedback).toEqual({ up: 1, down: 0 });
  });

  it('cleans control characters out of a question before it is searched or recorded, on every surface', async () => {
    const { services, asked, activity, dataDir } = await servicesWith();
    const typed = 'where\u0000 is the \u001b[31mguide\u202e?\r\nand the map\u0085 ';
    await drain(services.ask({ text: typed, history: [], askerId: 'U1' }, { surface: 'web' }).parts);
    expect(asked[0]!.text).toBe('where is the [31mguide?\nand the map');
    await activity.close();
    const log = readdirSync(path.join(dataDir, 'activity')).map((f) => readFileSync(path.join(dataDir, 'activity', f), 'utf8')).join('');
    expect(log).toContain(JSON.stringify('where is the [31mguide?\nand the map'));
    expect(log).not.toMatch(/\\u0000|\\u001b|\u202e|\\r/);
    // Nothing but control characters: one polite sentence, nothing searched.
    const empty = await drain(services.ask({ text: '\u0000\u202e\u0007 ', history: [], askerId: 'U1' }).parts);
    expect(empty.map((p) => p.type)).toEqual(['error']);
    expect(asked).toHaveLength(1);
  });

  it('an answer still finishes with its sources when the activity folder cannot be written', async () => {
    const dataDir = path.join(work, 'blocked');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, 'activity'), 'a file where the folder should be');
    const { services, activity } = await servicesWith({ dataDir });
    const { answerId, parts } = services.ask({ text: 'where is the guide?', history: [] });
    const out = await drain(parts);
    expect(out.map((p) => p.type)).toEqual(['sources', 'text-delta', 'finish']);
    expect(out[0]).toEqual({ type: 'sources', passages: [PASSAGE] });
    await activity.flush();
    await expect(services.recordFeedback({ answerId, vote: 'up', userId: 'U1', platform: 'slack' })).resolves.toBe('recorded');
    expect(await services.status()).toMatchObject({ answers: 1, feedback: { up: 1, down: 0 } });
  });
});

describe('admission through the services', () => {
  it('a queued question abandoned by its asker leaves the queue: its stream ends and its place is free again', async () => {
    const { services, asked, release } = await servicesWith({ limits: { maxConcurrent: 1, maxQueued: 1, perUser: 5 } });
    const first = drain(services.ask({ text: 'hold 1', history: [], askerId: 'U1' }).parts);
    await new Promise((r) => setImmediate(r));
    const ac = new AbortController();
    const abandoned = drain(services.ask({ text: 'waiting', history: [], askerId: 'U2' }, { signal: ac.signal }).parts);
    await new Promise((r) => setImmediate(r));
    // Full: one answering, one waiting.
    const refused = await drain(services.ask({ text: 'refused', history: [], askerId: 'U3' }).parts);
    expect(refused).toMatchObject([{ type: 'error', error: { code: 'busy' } }]);
    ac.abort();
    expect(await abandoned).toEqual([]);
    // The freed place takes the next question, which is answered once the first one is done.
    const next = drain(services.ask({ text: 'next', history: [], askerId: 'U3' }).parts);
    release('hold 1');
    expect((await first).at(-1)?.type).toBe('finish');
    expect((await next).at(-1)?.type).toBe('finish');
    expect(asked.map((q) => q.text)).toEqual(['hold 1', 'next']);
  });
});
