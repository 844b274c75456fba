import { describe, expect, it } from 'vitest';
import { commandList, findCommand } from '../../commands/index.js';
import type { DocentServices } from '../../commands/services.js';
import type { Invoker } from '../../commands/invoker.js';
import { DocentError } from '../../src/core/errors.js';
import type { IndexSummary } from '../../src/indexing/indexer.js';

const invoker: Invoker = { platform: 'discord', userId: 'u1', roleIds: [], channelId: 'c-pdfs' };
const summary: IndexSummary = { embedderId: 'e', changed: true, version: 3, documents: 10, chunks: 20, embedded: 2, skipped: [{ location: '/x/bad.pdf', reason: 'corrupt PDF' }], notes: [], seconds: 1.5, perSource: {}, diff: { added: 2, changed: 1, removed: 1 } };

function services(over: Partial<DocentServices> = {}): DocentServices & { asked: unknown[] } {
  const asked: unknown[] = [];
  return {
    asked,
    ask: (q) => (asked.push(q), { answerId: 'a1', parts: (async function* () {})() }),
    status: async () => ({
      documents: 10, chunks: 20, indexVersion: 3, builtAt: new Date(Date.now() - 120_000).toISOString(), checkedAt: new Date().toISOString(),
      embedder: { id: 'word-vectors:x', fallback: true }, backends: [{ id: 'hf:m', healthy: false, state: 'open' }, { id: 'openai:m@http://10.0.0.5:8000', healthy: true, state: 'closed' }, { id: 'extractive', healthy: true, state: 'closed' }],
      answers: 7, feedback: { up: 3, down: 1 }, reindexRunning: false,
      schedule: { expression: '0 3 * * *', timezone: 'UTC', nextRun: '2026-11-22T03:00:00.000Z' },
      lastRuns: [{ trigger: 'schedule', finishedAt: new Date(Date.now() - 3600_000).toISOString(), ok: false, summary: 'No documents could be loaded' }],
    }),
    sources: async () => ({ sources: [{ source: 'data/sample', documents: 10, chunks: 20 }] }),
    reindex: async (onProgress) => (onProgress({ phase: 'load', done: 1, total: 2 }), summary),
    isAdmin: () => false,
    scopeFor: (c) => (c === 'c-pdfs' ? ['../shared/pdfs'] : undefined),
    recordFeedback: async () => 'recorded' as const,
    ...over,
  };
}

describe('shared commands', () => {
  it('lists ask, sources, status, reindex and help; only reindex is admin', () => {
    expect(commandList.map((c) => c.name)).toEqual(['ask', 'sources', 'status', 'reindex', 'help']);
    expect(commandList.filter((c) => c.access === 'admin').map((c) => c.name)).toEqual(['reindex']);
  });

  it('ask passes the channel scope and returns an answer stream', async () => {
    const s = services();
    const reply = await findCommand('ask')!.run({ args: { question: ' where are trail maps? ' }, invoker, services: s });
    expect(reply.type).toBe('answer');
    expect(s.asked).toEqual([{ text: 'where are trail maps?', history: [], askerId: 'u1', sources: ['../shared/pdfs'] }]);
    expect((await findCommand('ask')!.run({ args: {}, invoker, services: s })).type).toBe('text');
  });

  it('status shows index, embedder, backend health, answers, feedback, the schedule and the last runs', async () => {
    const reply = await findCommand('status')!.run({ args: {}, invoker: { ...invoker, channelId: 'c-all' }, services: services() });
    expect(reply).toMatchObject({ type: 'text', ephemeral: true });
    const md = (reply as { markdown: string }).markdown;
    expect(md).toContain('version 3, 10 documents, 20 passages — built 2 min ago');
    // Any chat user may run status: backends are named without their endpoints.
    expect(md).toContain('⏸️ hf:m (open), ✅ openai:m, ✅ extractive');
    expect(md).not.toContain('10.0.0.5');
    expect(md).toContain('Answers: 7 · feedback 👍 3 / 👎 1');
    expect(md).toContain('Reindex schedule: `0 3 * * *` (UTC), next 2026-11-22T03:00:00.000Z');
    expect(md).toContain('Last schedule reindex: ❌ 60 min ago — No documents could be loaded');
  });

  it('the listed reindex refuses a non-admin, whatever surface calls run() (the access policy wraps commandList)', async () => {
    let started = false;
    const s = services({ reindex: async () => ((started = true), summary) });
    for (const who of [invoker, { ...invoker, platform: 'web' as const, userId: 'web:1' }]) {
      const reply = await findCommand('reindex')!.run({ args: {}, invoker: who, services: s });
      expect(reply).toEqual({ type: 'text', markdown: 'Sorry, only Docent admins can run `/reindex`.', ephemeral: true, refused: 'admin' });
    }
    expect(started).toBe(false);
  });

  it('reindex reports progress, then a summary with what was skipped; a run already going is followed', async () => {
    // An admin: the allow-list check is the test above.
    const admin = (over: Partial<DocentServices> = {}) => services({ isAdmin: () => true, ...over });
    const reply = await findCommand('reindex')!.run({ args: {}, invoker, services: admin() });
    if (reply.type !== 'progress') throw new Error('expected progress');
    const seen: string[] = [];
    const final = await reply.run(async (md) => void seen.push(md));
    expect(seen).toEqual(['🔄 Loading documents: 1/2']);
    expect(final).toBe('✅ Reindexed: version 3 — 10 documents (2 added, 1 changed, 1 removed), 20 passages in 1.5 s.\nSkipped 1:\n• `/x/bad.pdf` — corrupt PDF');
    const running = admin();
    const status = await running.status();
    const busy = await findCommand('reindex')!.run({ args: {}, invoker, services: { ...running, status: async () => ({ ...status, reindexRunning: true }) } });
    expect(busy).toMatchObject({ type: 'progress', initial: '🔄 A reindex is already running; following it…' });
    const failing = await findCommand('reindex')!.run({ args: {}, invoker, services: admin({ reindex: async () => Promise.reject(new DocentError('index_empty', 'user', 'No documents could be loaded.')) }) });
    if (failing.type !== 'progress') throw new Error('expected progress');
    expect(await failing.run(async () => undefined)).toBe('❌ Reindex failed; the previous index is still serving. (No documents could be loaded.)');
  });

  it('sources and status in a scoped channel show only what that channel may search', async () => {
    const catalog = [{ source: '../shared/pdfs', documents: 4, chunks: 30 }, { source: 'data/sample', documents: 10, chunks: 20 }, { source: 'catalogs/', documents: 50, chunks: 60 }];
    const scopes: Record<string, string[]> = { 'c-pdfs': ['../shared/pdfs'], 'c-one': ['catalogs/usfs-123', 'elsewhere/x.pdf'], 'c-none': [] };
    const s = services({ sources: async () => ({ sources: catalog }), scopeFor: (c) => (c ? (scopes[c] ?? undefined) : undefined) });
    const md = async (name: string, channelId: string) => ((await findCommand(name)!.run({ args: {}, invoker: { ...invoker, channelId }, services: s })) as { markdown: string }).markdown;
    expect(await md('sources', 'c-pdfs')).toBe('**Sources in this channel** (4 documents)\n• `../shared/pdfs` — 4 documents, 30 passages');
    // A single record inside a source is listed by its full id; an entry naming nothing indexed is not listed.
    expect(await md('sources', 'c-one')).toBe('**Sources in this channel** (1 documents)\n• `catalogs/usfs-123` — one document');
    expect(await md('sources', 'c-none')).toBe('This channel has no catalog to search.');
    expect(await md('sources', 'c-all')).toContain('`data/sample` — 10 documents');
    const scopedStatus = await md('status', 'c-pdfs');
    expect(scopedStatus).toContain("version 3, 4 documents, 30 passages in this channel's sources");
    expect(scopedStatus).not.toContain('No documents could be loaded'); // run summaries speak about every source
    expect(await md('status', 'c-none')).toContain('version 3, no catalog in this channel');
  });

  it('help is built from the command list', async () => {
    const reply = await findCommand('help')!.run({ args: {}, invoker, services: services() });
    for (const c of commandList) expect((reply as { markdown: string }).markdown).toContain(`/${c.name}`);
  });
});
