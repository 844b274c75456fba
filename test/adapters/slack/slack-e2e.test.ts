/**
 * The Slack adapter end to end: the real Bolt App inside `createSlackAdapter`, over Socket Mode and over signed
 * HTTP, against the loopback fake Slack, with scripted Docent services whose answers stream with controllable
 * timing. Assertions are on what the fake platform holds (messages, streams, edits, acks, ephemerals).
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import type { DocentServices, Feedback } from '../../../commands/services.js';
import { createSlackAdapter, type SlackAdapter, type SlackAdapterDeps } from '../../../src/adapters/slack/index.js';
import { toMrkdwn, toStreamMarkdown } from '../../../src/adapters/slack/mrkdwn.js';
import { defuseLinks } from '../../../src/adapters/shared/untrusted-text.js';
import type { AnswerPart, Citation, Question } from '../../../src/core/answer/types.js';
import type { IndexSummary } from '../../../src/indexing/indexer.js';
import type { IndexProgress } from '../../../src/core/index-report.js';
import { fastTiers, startFakeSlack, type FakeSlack, type StoredMessage, type StartFakeSlackOptions } from '../../fakes/fake-slack/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const INTERVAL_MS = 300;
const ADMIN = 'U0ADMIN01';
const SCOPED_CHANNEL = 'C0SCOPED1';
/** A Slack control sequence that would notify someone. */
const PING = /<(?:!channel|!here|!everyone|@[UW][A-Z0-9]+|!subteam\^[^>]*)(?:\|[^>]*)?>/;
const citation = (n: number): Citation => ({ n, passage: n, title: `Record ${n}`, sourceId: `s${n}`, url: `https://example.org/r/${n}`, path: null, page: n });

interface Script {
  deltas: string[];
  gapMs?: number;
}

/** Docent services with scripted answers (by question text) that record what the adapter asked of them. */
function scriptedServices() {
  const scripts = new Map<string, Script>();
  const asked: Question[] = [];
  const feedback: Feedback[] = [];
  // Answers the activity log no longer has on record (an old or forged id): votes on them are not counted.
  const forgotten = new Set<string>();
  let reindexRuns = 0;
  let answers = 0;
  const services = {
    ask(question: Question) {
      asked.push(question);
      const answerId = `ans-${++answers}`;
      const script = scripts.get(question.text) ?? { deltas: [`You asked: ${question.text.slice(0, 40)}. `, 'Here is the answer [1].'] };
      async function* parts(): AsyncGenerator<AnswerPart> {
        yield { type: 'sources', passages: [] };
        await sleep(20);
        let text = '';
        for (const [i, d] of script.deltas.entries()) {
          if (i > 0 && script.gapMs) await sleep(script.gapMs);
          text += d;
          yield { type: 'text-delta', text: d };
        }
        yield {
          type: 'finish',
          info: {
            text, citations: [citation(1)], backend: 'scripted', finishReason: 'stop', fallbacks: [], degraded: [], cached: false, notFound: false,
            searchQuery: question.text, timings: { retrievalMs: 1, firstTokenMs: 20, totalMs: 100 },
          },
        };
      }
      return { answerId, parts: parts() };
    },
    status: async () => ({}) as never,
    sources: async () => ({ sources: [] }),
    async reindex(onProgress: (p: IndexProgress) => void): Promise<IndexSummary> {
      reindexRuns++;
      for (let i = 1; i <= 6; i++) {
        onProgress({ phase: 'embed', done: i, total: 6 } as IndexProgress);
        await sleep(120);
      }
      return { embedderId: 'hash', changed: true, version: 7, documents: 12, chunks: 34, embedded: 34, seconds: 1, skipped: [], notes: [], perSource: {}, diff: { added: 12, changed: 0, removed: 0 } };
    },
    isAdmin: (invoker: { userId: string }) => invoker.userId === ADMIN,
    scopeFor: (channel: string | undefined) => (channel === SCOPED_CHANNEL ? ['catalogs/usfs'] : undefined),
    recordFeedback: async (f: Feedback) => (forgotten.has(f.answerId) ? ('unknown-answer' as const) : (feedback.push(f), 'recorded' as const)),
  } as unknown as DocentServices;
  return { services, scripts, asked, feedback, forgotten, reindexRuns: () => reindexRuns };
}

/**
 * A fake Slack and the adapter connected to it. These tests are about behaviour, not rate limits, and run a
 * dozen answers a minute: the fake's tiers run over 20-times shorter windows, and the adapter's budget is
 * given the same numbers (slack-tiers.test.ts runs the real ones).
 */
async function setup(fake: StartFakeSlackOptions, over: Partial<SlackAdapterDeps> = {}) {
  const slack = await startFakeSlack({ limits: fastTiers(20), ...fake });
  const t = scriptedServices();
  const adapter: SlackAdapter = createSlackAdapter({
    botToken: 'xoxb-test', appToken: 'xapp-test', mode: 'socket', port: 0, services: t.services, commands: commandList,
    logger: pino({ level: 'silent' }), settings: { streaming: 'auto', updateIntervalMs: INTERVAL_MS, historyMessages: 10 },
    slackApiUrl: slack.apiUrl, socketPingTimeoutMs: 500, rateTiers: slack.tiers, ...over,
  });
  await adapter.start();
  return { slack, t, adapter };
}

/** The thread's bot replies once the answer is final (its last message carries the feedback buttons). */
function finalReplies(slack: FakeSlack, channel: string, threadTs: string): StoredMessage[] | undefined {
  const replies = slack.state.botReplies(channel, threadTs);
  const last = replies.at(-1);
  return last && JSON.stringify(last.blocks ?? []).includes('docent:fb:up:') && (!last.stream || last.stream.state === 'stopped') ? replies : undefined;
}

function assertNoPings(slack: FakeSlack): void {
  const outgoing = slack.state.allOutgoing();
  expect(outgoing.length).toBeGreaterThan(0);
  for (const o of outgoing) expect(JSON.stringify(o.body), o.method).not.toMatch(PING);
}

describe('Slack adapter over Socket Mode, native streaming', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    // Slack echoes the bot's own messages back as message events: they must never be answered.
    env = await setup({ echoBotMessages: true });
  });
  afterAll(async () => {
    await env?.adapter.stop();
    await env?.slack.close();
  });

  it('answers a mention in a thread with a native stream, a cited source list and feedback buttons', async () => {
    const { slack, t } = env;
    const sent = slack.sendEvent({ type: 'app_mention', text: 'where are the trail maps?' });
    const replies = await slack.waitFor(() => finalReplies(slack, sent.channel!, sent.ts!));
    expect(sent.ackedAt! - sent.sentAt!).toBeLessThan(3000);
    expect(replies).toHaveLength(1);
    const reply = replies[0]!;
    expect(reply.thread_ts).toBe(sent.ts);
    expect(reply.stream).toMatchObject({ state: 'stopped', recipientUserId: slack.ids.userId, recipientTeamId: slack.ids.teamId });
    expect(reply.text).toBe('You asked: where are the trail maps?. Here is the answer [1].');
    const blocks = JSON.stringify(reply.blocks);
    expect(blocks).toContain('*Sources*\\n[1] <https://example.org/r/1|Record 1> — page 1');
    expect(blocks).toContain('docent:fb:down:ans-1');
    expect(t.asked[0]).toMatchObject({ text: 'where are the trail maps?', history: [] });

    const click = slack.sendBlockAction({ actionId: 'docent:fb:up:ans-1' });
    const thanks = await slack.waitFor(() => slack.state.ephemerals.find((e) => e.text === 'Thanks for the feedback.'));
    expect(click.ackedAt).toBeDefined();
    expect(thanks).toMatchObject({ user: slack.ids.userId, thread_ts: sent.ts });
    expect(t.feedback).toEqual([{ answerId: 'ans-1', vote: 'up', userId: slack.ids.userId, platform: 'slack' }]);
    // A vote on an answer no longer on record is not thanked as if it counted.
    t.forgotten.add('ans-1');
    slack.sendBlockAction({ actionId: 'docent:fb:down:ans-1' });
    await slack.waitFor(() => slack.state.ephemerals.find((e) => e.text === 'Sorry — I no longer have that answer on record, so the vote was not counted.'));
  });

  it('scopes questions by channel', async () => {
    const { slack, t } = env;
    const sent = slack.sendEvent({ type: 'app_mention', channel: SCOPED_CHANNEL, text: 'scoped question' });
    await slack.waitFor(() => finalReplies(slack, sent.channel!, sent.ts!));
    expect(t.asked.find((q) => q.text === 'scoped question')!.sources).toEqual(['catalogs/usfs']);
  });

  it('answers a follow-up in its thread with the thread history', async () => {
    const { slack, t } = env;
    const root = slack.sendEvent({ type: 'app_mention', text: 'which datasets cover rivers?' });
    await slack.waitFor(() => finalReplies(slack, root.channel!, root.ts!));
    const follow = slack.sendEvent({ type: 'message', channel: root.channel!, thread_ts: root.ts!, text: 'and in winter?' });
    await slack.waitFor(() => (finalReplies(slack, root.channel!, root.ts!)?.length ?? 0) >= 2);
    const q = t.asked.find((a) => a.text === 'and in winter?')!;
    expect(q.history).toEqual([
      { role: 'user', text: 'which datasets cover rivers?' },
      { role: 'assistant', text: 'You asked: which datasets cover rivers?. Here is the answer [1].' },
    ]);
    expect(slack.state.botReplies(follow.channel!, root.ts!).every((m) => m.thread_ts === root.ts)).toBe(true);
  });

  it('answers a mention in its thread once, though it arrives as app_mention and as message', async () => {
    const { slack, t } = env;
    const root = slack.sendEvent({ type: 'app_mention', text: 'first question' });
    await slack.waitFor(() => finalReplies(slack, root.channel!, root.ts!));
    const text = `<@${slack.ids.botUserId}> and the 2011 one?`;
    const asMessage = slack.sendEvent({ type: 'message', channel: root.channel!, thread_ts: root.ts!, text });
    slack.sendEvent({ type: 'app_mention', channel: root.channel!, thread_ts: root.ts!, ts: asMessage.ts!, text });
    await slack.waitFor(() => (finalReplies(slack, root.channel!, root.ts!)?.length ?? 0) >= 2);
    await sleep(400);
    expect(t.asked.filter((q) => q.text === 'and the 2011 one?')).toHaveLength(1);
    expect(slack.state.botReplies(root.channel!, root.ts!)).toHaveLength(2);
  });

  it('answers a direct message in a thread under it, and ignores edits, joins and bots', async () => {
    const { slack, t } = env;
    const dm = slack.sendEvent({ type: 'message', text: 'hello from a DM' });
    const [reply] = await slack.waitFor(() => finalReplies(slack, dm.channel!, dm.ts!));
    expect(reply).toMatchObject({ channel: slack.ids.dmChannelId, thread_ts: dm.ts });
    const before = t.asked.length;
    slack.sendEvent({ type: 'message', text: 'edited', subtype: 'message_changed' });
    slack.sendEvent({ type: 'message', text: 'joined', subtype: 'channel_join', channel: slack.ids.channelId });
    slack.sendEvent({ type: 'message', text: 'another bot', bot_id: 'B0OTHER01' });
    slack.sendEvent({ type: 'message', text: 'no thread, no mention', channel: slack.ids.channelId });
    await sleep(400);
    expect(t.asked.length).toBe(before);
  });

  it('answers an event delivered three times (Slack retries) exactly once', async () => {
    const { slack, t } = env;
    const first = slack.sendEvent({ type: 'app_mention', text: 'retried question' });
    const r1 = slack.retryEvent(first);
    const r2 = slack.retryEvent(r1);
    await slack.waitFor(() => finalReplies(slack, first.channel!, first.ts!));
    await slack.waitFor(() => r2.ackedAt);
    await sleep(500);
    expect(slack.state.botReplies(first.channel!, first.ts!)).toHaveLength(1);
    expect(t.asked.filter((q) => q.text === 'retried question')).toHaveLength(1);
    expect([first, r1, r2].map((e) => e.eventId)).toEqual([first.eventId, first.eventId, first.eventId]);
  });

  it('honours a 429 Retry-After on appendStream and still completes the text', async () => {
    const { slack, t } = env;
    const deltas = Array.from({ length: 30 }, (_, i) => `Word${i} `);
    // Long enough (2.4 s) that appends go on after the 429's second: the next one must wait it out.
    t.scripts.set('rate limited stream', { deltas, gapMs: 80 });
    slack.rateLimit({ method: 'chat.appendStream', times: 1, retryAfterSec: 1 });
    const sent = slack.sendEvent({ type: 'app_mention', text: 'rate limited stream' });
    const [reply] = await slack.waitFor(() => finalReplies(slack, sent.channel!, sent.ts!), { timeoutMs: 15_000 });
    const limited = slack.state.rateLimits.filter((r) => r.method === 'chat.appendStream' && r.forced);
    expect(limited).toHaveLength(1);
    expect(limited[0]!.waitedMs).toBeGreaterThanOrEqual(1000);
    expect(reply!.text).toBe(deltas.join(''));
    // Appends were coalesced: far fewer calls than deltas, about one per interval.
    expect(reply!.stream!.appends.length).toBeLessThan(deltas.length / 2);
  }, 20_000);

  it('splits a 12,000-character answer into replies under the limits that add up to the answer', async () => {
    const { slack, t } = env;
    const sentence = (i: number) => `Sentence ${i} explains where [the loggers](https://example.org/l/${i}) go [${(i % 5) + 1}]. `;
    let answer = '';
    for (let i = 0; answer.length < 12_000; i++) answer += sentence(i) + (i % 6 === 5 ? '\n\n' : '');
    const deltas = answer.match(/[\s\S]{1,400}/g)!;
    t.scripts.set('long answer', { deltas, gapMs: 10 });
    const sent = slack.sendEvent({ type: 'app_mention', text: 'long answer' });
    const replies = await slack.waitFor(() => finalReplies(slack, sent.channel!, sent.ts!), { timeoutMs: 20_000 });
    expect(replies.length).toBeGreaterThanOrEqual(5);
    for (const r of replies) {
      expect(r.text.length).toBeLessThanOrEqual(3000);
      expect(r.text).not.toMatch(/\[[^\]]*$|^[^[]*\]\u200b?\(/); // no link or citation cut in half at either end
    }
    // The model's links are untrusted: they arrive as text (`](` broken, URLs defanged), nothing else changes.
    expect(replies.map((r) => r.text).join('')).toBe(toStreamMarkdown(defuseLinks(answer)));
    expect(replies.map((r) => r.text).join('')).not.toMatch(/\]\(|https?:\/\//);
  }, 30_000);

  it('refuses /docent reindex to a non-admin privately and runs it for an admin with progress', async () => {
    const { slack, t } = env;
    slack.sendSlashCommand({ text: 'reindex' });
    const refusal = await slack.waitFor(() => slack.state.ephemerals.find((e) => e.text.includes('only Docent admins')));
    expect(refusal).toMatchObject({ user: slack.ids.userId, via: 'response_url' });
    // The shared refusal names the command as a Slack user types it.
    expect(refusal?.text).toContain('`/docent reindex`');
    expect(t.reindexRuns()).toBe(0);

    const admin = slack.sendSlashCommand({ text: 'reindex', userId: ADMIN });
    const done = await slack.waitFor(() => slack.state.botMessages(slack.ids.channelId).find((m) => /^[✅❌]/u.test(m.text)), { timeoutMs: 10_000 });
    expect(admin.ackedAt! - admin.sentAt!).toBeLessThan(3000);
    expect(t.reindexRuns()).toBe(1);
    const shown = done.updates.map((u) => u.text);
    expect(shown.filter((s) => s.startsWith('🔄 Embedding passages')).length).toBeGreaterThanOrEqual(1);
    expect(done.text).toMatch(/^✅ Reindexed: version 7/u);
  });

  it('answers `/docent <question>` in a thread under the posted question', async () => {
    const { slack, t } = env;
    slack.sendSlashCommand({ text: 'where are the trail maps in winter?' });
    const root = await slack.waitFor(() => slack.state.botMessages(slack.ids.channelId).find((m) => m.text.includes('asked: where are the trail maps in winter?')));
    await slack.waitFor(() => finalReplies(slack, root.channel, root.ts));
    expect(t.asked.at(-1)!.text).toBe('where are the trail maps in winter?');
  });

  it('reconnects after the socket drops and still answers', async () => {
    const { slack } = env;
    expect(slack.dropSocket()).toBe(1);
    const sent = slack.sendEvent({ type: 'app_mention', text: 'still there?' });
    await slack.waitFor(() => finalReplies(slack, sent.channel!, sent.ts!), { timeoutMs: 15_000 });
    expect(slack.state.connections.length).toBeGreaterThanOrEqual(2);
    expect(slack.state.openConnections()).toHaveLength(1);
  }, 20_000);

  it('never lets an answer ping anyone', async () => {
    const { slack, t } = env;
    t.scripts.set('ping attempt', { deltas: ['Hey <!channel> and <!here>, ', 'ask <@U0ALICE01> or <!subteam^S1|team>. @everyone'] });
    const sent = slack.sendEvent({ type: 'app_mention', text: 'ping attempt' });
    const [reply] = await slack.waitFor(() => finalReplies(slack, sent.channel!, sent.ts!));
    expect(reply!.text).toContain('&lt;!channel&gt;');
    assertNoPings(slack);
  });
});

describe('Slack adapter where native streaming is unavailable (placeholder + chat.update)', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup({ streaming: false });
  });
  afterAll(async () => {
    await env?.adapter.stop();
    await env?.slack.close();
  });

  it('falls back to updates once, then stops trying native streaming', async () => {
    const { slack, t } = env;
    t.scripts.set('fallback one', { deltas: ['**Bold** start ', 'and [a link](https://example.org/x) ', 'end [1].'], gapMs: 150 });
    const sent = slack.sendEvent({ type: 'app_mention', text: 'fallback one' });
    const [reply] = await slack.waitFor(() => finalReplies(slack, sent.channel!, sent.ts!), { timeoutMs: 10_000 });
    expect(reply!.via).toBe('chat.postMessage');
    expect(reply!.unfurl_links).toBe(false);
    expect(reply!.updates.length).toBeGreaterThanOrEqual(2);
    // A link in model text stays text: only the source list (in the blocks) links, to the cited record.
    expect(reply!.text).toBe('*Bold* start and [a link]\u200b(hxxps://example.org/x) end [1].');
    const second = slack.sendEvent({ type: 'message', text: 'fallback two' });
    await slack.waitFor(() => finalReplies(slack, second.channel!, second.ts!));
    expect(slack.state.unknownMethods.filter((m) => m === 'chat.startStream')).toHaveLength(1);
    assertNoPings(slack);
  });

  it('honours a 429 Retry-After on chat.update and splits long answers under the limits', async () => {
    const { slack, t } = env;
    let answer = '';
    for (let i = 0; answer.length < 7000; i++) answer += `Point ${i} is about **shade** & flow [${(i % 3) + 1}]. ${i % 8 === 7 ? '\n\n' : ''}`;
    t.scripts.set('long update', { deltas: answer.match(/[\s\S]{1,200}/g)!, gapMs: 15 });
    slack.rateLimit({ method: 'chat.update', times: 1, retryAfterSec: 1 });
    const sent = slack.sendEvent({ type: 'app_mention', text: 'long update' });
    const replies = await slack.waitFor(() => finalReplies(slack, sent.channel!, sent.ts!), { timeoutMs: 20_000 });
    const limited = slack.state.rateLimits.filter((r) => r.method === 'chat.update' && r.forced);
    expect(limited[0]!.waitedMs).toBeGreaterThanOrEqual(1000);
    expect(replies.length).toBeGreaterThanOrEqual(3);
    for (const r of replies) expect(r.text.length).toBeLessThanOrEqual(3000);
    // Each message is trimmed (Slack trims anyway), so compare without whitespace.
    expect(replies.map((r) => r.text).join('').replace(/\s+/g, '')).toBe(toMrkdwn(answer).replace(/\s+/g, ''));
    // Per update, Slack saw at most one call at a time per answer: updates are spaced by the interval or more.
    const times = replies[0]!.updates.map((u) => u.at);
    for (let i = 1; i < times.length - 1; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(INTERVAL_MS - 50);
  }, 30_000);
});

describe('Slack adapter over HTTP (Events API with signed requests)', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let url: string;
  beforeAll(async () => {
    env = await setup({}, { mode: 'http', appToken: undefined, signingSecret: 'fake-signing-secret', port: 0 });
    url = `http://127.0.0.1:${env.adapter.address()!.port}/slack/events`;
  });
  afterAll(async () => {
    await env?.adapter.stop();
    await env?.slack.close();
  });

  it('rejects a bad or stale signature with 401 and answers nothing', async () => {
    const { slack, t } = env;
    for (const sign of ['bad', 'stale', 'none'] as const) {
      const res = await slack.postEvent(url, { type: 'app_mention', text: `forged ${sign}` }, { sign });
      expect(res.status).toBe(401);
    }
    await sleep(300);
    expect(t.asked).toHaveLength(0);
    expect(slack.state.callsOf('chat.startStream')).toHaveLength(0);
  });

  it('acks a valid delivery at once, answers it, and ignores its retries', async () => {
    const { slack, t } = env;
    const res = await slack.postEvent(url, { type: 'app_mention', text: 'over http' });
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    await slack.waitFor(() => finalReplies(slack, res.channel!, res.ts!));
    for (const retryNum of [1, 2]) {
      const again = await slack.postEvent(url, { type: 'app_mention', text: 'over http', eventId: res.eventId! }, { retryNum });
      expect(again.status).toBe(200);
    }
    await sleep(500);
    expect(t.asked.filter((q) => q.text === 'over http')).toHaveLength(1);
    expect(slack.state.botReplies(res.channel!, res.ts!)).toHaveLength(1);
  });

  it('runs /docent over HTTP too', async () => {
    const { slack } = env;
    const res = await slack.postSlashCommand(url, { text: 'reindex' });
    expect(res.status).toBe(200);
    await slack.waitFor(() => slack.state.ephemerals.find((e) => e.text.includes('only Docent admins')));
  });
});
