/**
 * The real runtime over the sample catalog (its own Chroma server, the no-download embedder, extractive
 * answers): answers are recorded and counted, feedback is stored with the question and sources, the admin
 * allow-list and channel scopes come from config, and a reindex swaps the index in while answers keep working.
 */
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { runIndex } from '../../src/indexing/indexer.js';
import { openRuntime, type OpenedRuntime } from '../../src/runtime/docent-runtime.js';
import { drain } from '../helpers/answers.js';

const repo = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-runtime-'));
const docs = path.join(work, 'docs');
let rt: OpenedRuntime;

beforeAll(async () => {
  cpSync(path.join(repo, 'data/sample'), docs, { recursive: true });
  const config = loadConfig({
    env: { EMBEDDER: 'word-vectors', ADMIN_USER_IDS: 'admin-1', ADMIN_ROLE_IDS: 'role-ops', CHANNEL_SOURCES: JSON.stringify({ 'chan-1': [docs] }) },
    overrides: { dataDir: path.join(work, 'data'), sources: [docs] },
  });
  rt = await openRuntime(config, pino({ level: 'silent' }), { indexIfEmpty: true });
});
afterAll(async () => {
  await rt.close();
  rmSync(work, { recursive: true, force: true });
});

describe('runtime services', () => {
  it('records answers and feedback (with question and sources) and counts them in status', async () => {
    const { answerId, parts } = rt.services.ask({ text: 'how do I cite your data in a paper?', history: [] });
    const out = await drain(parts);
    expect(out.at(-1)).toMatchObject({ type: 'finish' });
    await rt.services.recordFeedback({ answerId, vote: 'up', userId: 'u9', platform: 'discord' });
    await rt.services.recordFeedback({ answerId, vote: 'down', userId: 'u8', platform: 'slack' });
    const status = await rt.services.status();
    expect(status).toMatchObject({ answers: 1, feedback: { up: 1, down: 1 }, reindexRunning: false });
    expect(status.backends.map((b) => b.id)).toEqual(['extractive']);
    const lines = readFileSync(path.join(work, 'data/activity/feedback.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ answerId, vote: 'up', question: 'how do I cite your data in a paper?' });
    expect((lines[0]!.sources as unknown[]).length).toBeGreaterThan(0);
  });

  it('answers a no-LLM follow-up about its new aspect first ("and in winter?" after a question about loggers)', async () => {
    const first = await drain(rt.services.ask({ text: 'how often are the water temperature loggers checked and visited?', history: [] }).parts);
    const firstText = first.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('');
    const history = [{ role: 'user' as const, text: 'how often are the water temperature loggers checked and visited?' }, { role: 'assistant' as const, text: firstText }];
    const follow = await drain(rt.services.ask({ text: 'and in winter?', history }).parts);
    const text = follow.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('');
    const firstQuote = text.split('\n').find((l) => l.startsWith('> '));
    expect(firstQuote).toMatch(/winter/i);
    expect(firstQuote).not.toBe(firstText.split('\n').find((l) => l.startsWith('> ')));
  });

  it('takes admins and channel scopes from config; the console operator is always admin', () => {
    expect(rt.services.isAdmin({ platform: 'discord', userId: 'admin-1', roleIds: [] })).toBe(true);
    expect(rt.services.isAdmin({ platform: 'discord', userId: 'u2', roleIds: ['role-ops'] })).toBe(true);
    expect(rt.services.isAdmin({ platform: 'discord', userId: 'u2', roleIds: ['other'] })).toBe(false);
    expect(rt.services.isAdmin({ platform: 'console', userId: 'console', roleIds: [] })).toBe(true);
    expect(rt.services.scopeFor('chan-1')).toEqual([docs]);
    // Channels are scoped and there is no `default`: an unlisted channel or a DM gets no catalog, not all of it.
    expect(rt.services.scopeFor('chan-2')).toEqual([]);
  });

  it('scopes a question to one document by its full source id, and a bare file name to nothing', async () => {
    const question = 'how often are the water temperature loggers checked and visited?';
    const cited = async (sources: string[]) => {
      const out = await drain(rt.services.ask({ text: question, history: [], sources }).parts);
      const passages = out.find((p) => p.type === 'sources');
      return passages?.type === 'sources' ? [...new Set(passages.passages.map((p) => p.sourceId))] : [];
    };
    expect((await cited([docs])).length).toBeGreaterThan(1);
    expect(await cited([`${docs}/guides/sensor-network.md`])).toEqual(['guides/sensor-network.md']);
    expect(await cited(['guides/sensor-network.md'])).toEqual([]);
    expect(await cited(['sensor-network.md'])).toEqual([]);
  });

  it('answers a DM politely that there is no catalog here once channels are scoped', async () => {
    const sources = rt.services.scopeFor('D-some-dm');
    const out = await drain(rt.services.ask({ text: 'how do I cite your data?', history: [], ...(sources ? { sources } : {}) }).parts);
    expect(out[0]).toEqual({ type: 'sources', passages: [] });
    expect(out.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('')).toMatch(/^This channel has no catalog to search/);
    expect(out.at(-1)).toMatchObject({ type: 'finish', info: { citations: [], notFound: true } });
  });

  it('follows the manifest when another process sharing the data dir built newer versions', async () => {
    const serving = rt.search.manifest.version;
    const other = { ...rt.config };
    for (const edit of ['one', 'two']) {
      appendFileSync(path.join(docs, 'guides/sensor-network.md'), `\n\n## Edit ${edit}\n\nRevision ${edit} of the gauge notes.\n`);
      // A second "process": the same data dir and Chroma server, but not this runtime's runner.
      await runIndex({
        dataDir: other.dataDir, sources: other.sources, chunking: other.chunking, embedder: rt.embedder.embedder, batchSize: 32,
        loader: { maxFileBytes: 2 ** 24, fetchTimeoutMs: 1000 }, stores: rt.stores.stores, logger: pino({ level: 'silent' }),
      });
    }
    const out = await drain(rt.services.ask({ text: 'what is revision two of the gauge notes?', history: [] }).parts);
    expect(out.at(-1)!.type).toBe('finish');
    expect(rt.search.manifest.version).toBe(serving + 2);
  });

  it('answers every question asked continuously during a reindex, from the old version until the switch', async () => {
    for (let i = 0; i < 400; i++) {
      writeFileSync(path.join(docs, `bulk-${i}.md`), `# Bulk note ${i}\n\nStation ${i} logged snow depth ${i % 90} cm on visit ${i}.\n`);
    }
    const run = rt.services.reindex(() => undefined);
    let done = false;
    void run.finally(() => (done = true));
    const outcomes: string[] = [];
    while (!done) {
      const parts = await drain(rt.services.ask({ text: `where is the temperature logger installed? (${outcomes.length})`, history: [] }).parts);
      outcomes.push(parts.at(-1)!.type);
    }
    await run;
    expect(outcomes.length).toBeGreaterThan(3);
    expect(outcomes.every((t) => t === 'finish')).toBe(true);
  });

  it('reindexes without overlap (a second request attaches) and swaps the new version in; answers use it at once', async () => {
    appendFileSync(path.join(docs, 'guides/getting-started.md'), '\n\n## Lost and found\n\nThe zebra mussel survey kit lives in cabinet 7.\n');
    const first = rt.services.reindex(() => undefined);
    const attached = rt.services.reindex(() => undefined);
    expect((await rt.services.status()).reindexRunning).toBe(true);
    const summary = await first;
    // The same run's report (services.reindex redacts a copy per caller; a second run would say `changed: false`).
    expect(await attached).toEqual(summary);
    expect(summary).toMatchObject({ changed: true, version: 5 });
    expect(rt.search.manifest.version).toBe(5);
    // The serving version and the one it replaced (kept one run longer for other processes).
    const left = (await rt.stores.stores.list()).filter((n) => n.startsWith('docent_v'));
    expect(left).toHaveLength(2);
    expect(left).toContain(rt.search.manifest.collection);
    const out = await drain(rt.services.ask({ text: 'where is the zebra mussel survey kit?', history: [] }).parts);
    const text = out.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('');
    expect(text).toContain('cabinet 7');
  });

  it('names the missing part when the manifest points at a version whose keyword file is gone', async () => {
    // A second data dir holding only the manifest: what an operator sees after deleting index/keyword-v<N>.sqlite.
    const dataDir = path.join(work, 'data-without-keyword');
    cpSync(path.join(work, 'data/index/manifest.json'), path.join(dataDir, 'index/manifest.json'));
    const config = { ...rt.config, dataDir };
    const opened = openRuntime(config, pino({ level: 'silent' }));
    await expect(opened).rejects.toThrow(/index in .* is incomplete: version \d+'s keyword file .*keyword-v\d+\.sqlite is missing/);
    await expect(opened).rejects.toMatchObject({ hint: 'Run `docent index` to rebuild it.' });
  });
});
