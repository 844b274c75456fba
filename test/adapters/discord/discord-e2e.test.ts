/**
 * The Discord adapter end to end: the real discord.js client inside `createDiscordAdapter`, talking to the
 * loopback fake Discord (gateway WebSocket + REST), with scripted Docent services whose answers stream with
 * controllable timing. Assertions are on what the fake platform holds, not on which function ran.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import type { DocentServices, Feedback } from '../../../commands/services.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/index.js';
import { safeMarkdown } from '../../../src/adapters/discord/sanitize.js';
import type { AnswerPart, Citation, Question } from '../../../src/core/answer/types.js';
import { DocentError } from '../../../src/core/errors.js';
import type { IndexSummary } from '../../../src/indexing/indexer.js';
import type { IndexProgress } from '../../../src/core/index-report.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/fake-discord/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How one scripted answer streams: delay to the first token, then the deltas at a fixed gap. */
interface Script {
  deltas: string[];
  firstDelayMs?: number;
  gapMs?: number;
  citations?: Citation[];
  error?: DocentError;
}

const SCOPED_SOURCES = ['catalogs/usfs'];
const citation = (n: number): Citation => ({ n, passage: n, title: `Record ${n}`, sourceId: `s${n}`, url: `https://example.org/r/${n}`, path: null, page: n });

/** Docent services with scripted answers (by question text) that record what the adapter asked of them. */
function scriptedServices(adminRoleId: string, scopedChannelId: string) {
  const scripts = new Map<string, Script>();
  const asked: Question[] = [];
  const feedback: Feedback[] = [];
  const scopeCalls: Array<string | undefined> = [];
  let reindexRuns = 0;
  let answers = 0;
  // `unscoped`: the channel's scope (CHANNEL_SOURCES) is lifted, so /sources lists the whole fake catalog.
  const sourcesReply = { delayMs: 0, count: 1, unscoped: false };
  const reindexState = { busy: false };
  const services: DocentServices = {
    ask(question) {
      asked.push(question);
      const answerId = `ans-${++answers}`;
      const script = scripts.get(question.text) ?? { deltas: [`You asked: ${question.text.slice(0, 40)}. `, 'Here is the answer [1].'] };
      async function* parts(): AsyncGenerator<AnswerPart> {
        yield { type: 'sources', passages: [] };
        await sleep(script.firstDelayMs ?? 20);
        let text = '';
        for (const [i, d] of script.deltas.entries()) {
          if (i > 0 && script.gapMs) await sleep(script.gapMs);
          text += d;
          yield { type: 'text-delta', text: d };
        }
        if (script.error) {
          yield { type: 'error', error: script.error };
          return;
        }
        yield {
          type: 'finish',
          info: {
            text, citations: script.citations ?? [citation(1)], backend: 'scripted', finishReason: 'stop', fallbacks: [], degraded: [], cached: false, notFound: false,
            searchQuery: question.text, timings: { retrievalMs: 1, firstTokenMs: script.firstDelayMs ?? 20, totalMs: 100 },
          },
        };
      }
      return { answerId, parts: parts() };
    },
    async status() {
      // Only reindex reads it here (to say whether it follows a run already going).
      return {
        documents: 12, chunks: 34, indexVersion: 7, builtAt: new Date().toISOString(), checkedAt: new Date().toISOString(),
        embedder: { id: 'hash', fallback: true }, backends: [], answers: 0, feedback: { up: 0, down: 0 },
        reindexRunning: reindexState.busy, schedule: null, lastRuns: [],
      };
    },
    async sources() {
      await sleep(sourcesReply.delayMs);
      return { sources: Array.from({ length: sourcesReply.count }, (_, i) => ({ source: `catalogs/source-number-${i}`, documents: 3, chunks: 9 })) };
    },
    async reindex(onProgress: (p: IndexProgress) => void): Promise<IndexSummary> {
      if (reindexState.busy) throw new DocentError('reindex_busy', 'user', 'A reindex is already running.');
      reindexRuns++;
      for (let done = 1; done <= 10; done++) {
        onProgress({ phase: 'embed', done, total: 10 });
        await sleep(100);
      }
      return { embedderId: 'hash', changed: true, version: 7, documents: 12, chunks: 34, embedded: 34, skipped: [], notes: [], seconds: 1, perSource: {}, diff: { added: 12, changed: 0, removed: 0 } };
    },
    isAdmin: (invoker) => invoker.roleIds.includes(adminRoleId),
    scopeFor(channelId) {
      scopeCalls.push(channelId);
      return channelId === scopedChannelId && !sourcesReply.unscoped ? SCOPED_SOURCES : undefined;
    },
    async recordFeedback(f) {
      // An id this fake never answered is unknown, as the activity log says of an old or forged one.
      if (f.answerId === 'gone') return 'unknown-answer' as const;
      feedback.push(f);
      return 'recorded' as const;
    },
  };
  return { services, scripts, asked, feedback, scopeCalls, sourcesReply, reindexState, reindexRuns: () => reindexRuns };
}

/** A long answer: paragraphs of sentences with links, <urls> and citation markers in them. */
function longAnswer(chars: number): string {
  const sentences = [
    'Choose a spot in the main current where the water is well mixed [1].',
    'See the [field manual](https://example.org/manuals/field-manual.pdf) for the mounting bracket [2].',
    'Loggers stay under water at the lowest summer flow, per <https://example.org/flow-guidance> and [1, 3].',
    'Shade matters because direct sun heats the housing and biases readings by up to two degrees [3].',
  ];
  let text = '';
  for (let i = 0; text.length < chars; i++) text += sentences[i % sentences.length] + (i % 9 === 8 ? '\n\n' : ' ');
  return text.trimEnd();
}

function chunked(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

describe('Discord adapter against the fake Discord', () => {
  let discord: FakeDiscord;
  let adapter: DiscordAdapter;
  let t: ReturnType<typeof scriptedServices>;
  const editIntervalMs = 200;

  beforeAll(async () => {
    discord = await startFakeDiscord({ token: 'test-token' });
    t = scriptedServices(discord.ids.adminRoleId, discord.ids.channelId);
    adapter = createDiscordAdapter({
      token: 'test-token', services: t.services, commands: commandList, logger: pino({ level: 'silent' }),
      settings: { editIntervalMs, historyMessages: 12 }, restApi: discord.restUrl,
    });
    await adapter.start();
  });

  afterAll(async () => {
    await adapter?.stop();
    await discord?.close();
  });

  /** Sends /ask and waits until the @original shows the source list (the final edit). */
  async function ask(question: string, opts: { timeoutMs?: number } = {}) {
    const sent = discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: question }] });
    await discord.waitFor(() => discord.state.originalContent(sent.token)?.includes('**Sources**') || discord.state.followUps(sent.token).some((m) => String(m.data['content']).includes('**Sources**')), { timeoutMs: opts.timeoutMs ?? 8000, what: `the answer to "${question}"` });
    return sent;
  }

  it('(a) acknowledges within 3 s even when the first token takes 5 s', async () => {
    t.scripts.set('slow one', { firstDelayMs: 5000, deltas: ['Finally, ', 'an answer [1].'] });
    const sent = discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: 'slow one' }] });
    const callback = await discord.waitFor(() => discord.state.callbackOf(sent.token), { what: 'the interaction callback' });
    expect(callback.type).toBe(5);
    expect(callback.status).toBeLessThan(300);
    expect(callback.at - sent.dispatch.sentAt!).toBeLessThan(3000);
    await discord.waitFor(() => discord.state.originalContent(sent.token)?.startsWith('Finally, an answer [1].'), { timeoutMs: 10_000 });
  }, 20_000);

  it('(b) splits a 5000-character answer at boundaries, continuing in its thread, losing nothing (its links shown as text)', async () => {
    const answer = longAnswer(5000);
    t.scripts.set('long one', { deltas: chunked(answer, 60), gapMs: 2, citations: [citation(1), citation(2), citation(3)] });
    const sent = discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: 'long one' }] });
    const inThread = () => discord.state.botMessagesIn(discord.state.original(sent.token)?.id ?? '-');
    await discord.waitFor(() => inThread().some((m) => String(m.data['content']).includes('**Sources**')), { timeoutMs: 15_000, what: 'the end of the long answer in its thread' });
    const original = discord.state.original(sent.token)!;
    // The parts after the first 2000 characters continue in the thread opened on the reply, not in the channel.
    expect(discord.state.threadIds(discord.ids.channelId)).toContain(original.id);
    expect(discord.state.followUps(sent.token)).toEqual([]);
    expect(discord.state.botMessagesIn(discord.ids.channelId).filter((m) => m.createdAt > original.createdAt && !m.interactionId)).toEqual([]);
    const messages = [original, ...inThread()];
    const contents = messages.map((m) => String(m.data['content']));
    expect(contents.length).toBeGreaterThanOrEqual(3);
    for (const c of contents) expect(c.length).toBeLessThanOrEqual(2000);
    const joined = contents.join('');
    // Model text is untrusted: its links arrive escaped and defanged (shared/untrusted-text.ts), nothing lost.
    const shown = safeMarkdown(answer);
    expect(shown).toContain('\\[field manual\\]\u200b(hxxps://example.org/manuals/field-manual.pdf)');
    expect(joined.slice(0, shown.length)).toBe(shown);
    expect(joined.slice(shown.length)).toMatch(/^\n\n\*\*Sources\*\*\n\[1\] /);
    for (const c of contents.slice(0, -1)) {
      expect(c).toMatch(/(?:[.!?\]>)]\s+|\n)$/); // a sentence or paragraph end, never mid-word
      expect(c.match(/\[/g)?.length ?? 0).toBe(c.match(/\]/g)?.length ?? 0);
      expect(c.match(/</g)?.length ?? 0).toBe(c.match(/>/g)?.length ?? 0);
      // A link's text is never cut off from its (defanged) URL, and none of the model's links is clickable.
      expect(c.match(/field manual\\\]/g)?.length ?? 0).toBe(c.match(/\.pdf\)/g)?.length ?? 0);
      expect(c).not.toMatch(/https?:\/\/|(?<!\\)\]\(/);
    }
    // Buttons only under the last message; every message suppresses link previews.
    expect(JSON.stringify(messages.at(-1)!.data['components'])).toContain('docent:fb:up:');
    for (const m of messages.slice(0, -1)) expect(m.data['components']).toEqual([]);
    for (const m of messages) expect(Number(m.data['flags']) & 4).toBe(4);
    // Streaming edits of the @original were throttled to about one per interval (a busy machine only lowers it).
    const edits = discord.state.edits(sent.token);
    expect(edits.length).toBeGreaterThan(1);
    expect(edits.length).toBeLessThanOrEqual((edits.at(-1)!.at - edits[0]!.at) / editIntervalMs + 2);
  }, 20_000);

  it('(c) honours a 429 retry_after on the @original edit and still finishes the text', async () => {
    const answer = 'Rate limits are headers, not constants. Discord sends retry_after on a 429 [1]. The client waits and retries.';
    t.scripts.set('rate limited', { firstDelayMs: 300, deltas: chunked(answer, 10), gapMs: 40 });
    const sent = discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: 'rate limited' }] });
    discord.rateLimit({ method: 'PATCH', pathPattern: new RegExp(`^/webhooks/[^/]+/${sent.token}/messages/@original$`), times: 1, retryAfterSec: 1.5 });
    await discord.waitFor(() => discord.state.originalContent(sent.token)?.includes('**Sources**'), { timeoutMs: 10_000 });
    const limited = discord.state.rateLimits.filter((r) => r.forced && r.path.includes(sent.token));
    expect(limited).toHaveLength(1);
    expect(limited[0]!.waitedMs).toBeGreaterThanOrEqual(1500);
    expect(discord.state.originalContent(sent.token)!.startsWith(answer)).toBe(true);
  }, 20_000);

  it('(d) refuses /reindex to a non-admin and runs it for an admin with progress edits', async () => {
    const refused = discord.sendInteraction({ command: 'reindex' });
    const cb = await discord.waitFor(() => discord.state.callbackOf(refused.token));
    expect(cb.type).toBe(4);
    const data = cb.body['data'] as { content: string; flags: number };
    expect(data.content).toBe('Sorry, only Docent admins can run `/reindex`.');
    expect(data.flags & 64).toBe(64);
    expect(t.reindexRuns()).toBe(0);

    const admin = discord.sendInteraction({ command: 'reindex', roleIds: [discord.ids.adminRoleId] });
    await discord.waitFor(() => discord.state.originalContent(admin.token)?.startsWith('✅'), { timeoutMs: 8000 });
    expect(t.reindexRuns()).toBe(1);
    expect(discord.state.callbackOf(admin.token)!.type).toBe(5);
    const shown = discord.state.edits(admin.token).map((e) => String(e.body['content']));
    expect(shown[0]).toBe('🔄 Reindex started…');
    expect(shown.filter((s) => s.startsWith('🔄 Embedding passages')).length).toBeGreaterThanOrEqual(2);
    expect(shown.at(-1)).toBe('✅ Reindexed: version 7 — 12 documents (12 added, 0 changed, 0 removed), 34 passages in 1.0 s.');

    t.reindexState.busy = true;
    const busy = discord.sendInteraction({ command: 'reindex', roleIds: [discord.ids.adminRoleId] });
    await discord.waitFor(() => discord.state.originalContent(busy.token)?.startsWith('⏳'));
    expect(discord.state.originalContent(busy.token)).toBe('⏳ A reindex is already running; try again when it has finished.');
    t.reindexState.busy = false;
  }, 20_000);

  it('(e) answers a follow-up in the bot\'s thread with the thread history', async () => {
    t.scripts.set('Where do loggers go?', { deltas: ['In the main current, ', 'in the shade [1].'] });
    const sent = await ask('Where do loggers go?');
    const threadId = await discord.waitFor(() => discord.state.threadIds(discord.ids.channelId).find((id) => id === discord.state.original(sent.token)?.id));
    expect(discord.state.threads().find((th) => th['id'] === threadId)?.['name']).toBe('Where do loggers go?');
    // Wait until the bot has recorded the finished answer, then follow up without mentioning it.
    await sleep(100);
    t.scripts.set('and in winter?', { deltas: ['In winter, ', 'below the ice [2].'], citations: [citation(2)] });
    discord.sendMessage({ channelId: threadId, content: 'and in winter?' });
    await discord.waitFor(() => discord.state.contentsIn(threadId).some((c) => c.startsWith('In winter, below the ice [2].') && c.includes('**Sources**')));
    const q = t.asked.find((a) => a.text === 'and in winter?')!;
    expect(q.history).toEqual([
      { role: 'user', text: 'Where do loggers go?' },
      { role: 'assistant', text: 'In the main current, in the shade [1].' },
    ]);
    expect(q.sources).toEqual(SCOPED_SOURCES); // (j) the thread's parent channel scopes it
  }, 20_000);

  it('(i) a mention in a channel opens a thread on that message and answers inside it', async () => {
    t.scripts.set('what is the sensor network?', { deltas: ['Forty loggers ', 'in three basins [1].'] });
    const { messageId } = discord.sendMessage({ content: 'what is the sensor network?', mentionsBot: true });
    const threadId = await discord.waitFor(() => discord.state.threadIds().find((id) => id === messageId));
    await discord.waitFor(() => discord.state.contentsIn(threadId).some((c) => c.startsWith('Forty loggers in three basins [1].') && c.includes('**Sources**')));
    expect(discord.state.threads().find((th) => th['id'] === threadId)?.['owner_id']).toBe(discord.ids.botUserId);
    // Nothing was posted in the channel itself.
    expect(discord.state.botMessagesIn(discord.ids.channelId).some((m) => m.createdAt > discord.state.messages.get(messageId)!.createdAt && !m.interactionId)).toBe(false);
    // A follow-up in that thread sees the starter question and the answer.
    discord.sendMessage({ channelId: threadId, content: 'how often are they read?' });
    await discord.waitFor(() => t.asked.some((a) => a.text === 'how often are they read?'));
    expect(t.asked.find((a) => a.text === 'how often are they read?')!.history).toEqual([
      { role: 'user', text: 'what is the sensor network?' },
      { role: 'assistant', text: 'Forty loggers in three basins [1].' },
    ]);
    // A bare mention gets a hint as a reply (no thread, no answer).
    const bare = discord.sendMessage({ content: '', mentionsBot: true });
    const hint = await discord.waitFor(() => discord.state.botMessagesIn(discord.ids.channelId).find((m) => (m.data['message_reference'] as { message_id?: string } | undefined)?.message_id === bare.messageId));
    expect(String(hint.data['content'])).toMatch(/^Ask me a question about the catalog/);
    expect(discord.state.threadIds()).not.toContain(bare.messageId);
  }, 20_000);

  it('(j) passes the channel scope of /ask through to the question', async () => {
    await ask('scoped question');
    expect(t.asked.find((a) => a.text === 'scoped question')!.sources).toEqual(SCOPED_SOURCES);
    expect(t.scopeCalls).not.toContain(undefined);
  });

  it('(h) records a feedback click and thanks the user privately', async () => {
    const sent = await ask('feedback please');
    const original = discord.state.original(sent.token)!;
    const customId = (JSON.stringify(original.data['components']).match(/docent:fb:down:[^"]+/) ?? [])[0]!;
    const click = discord.sendButton({ customId, messageId: original.id });
    const cb = await discord.waitFor(() => discord.state.callbackOf(click.token));
    expect(cb.type).toBe(4);
    expect((cb.body['data'] as { content: string; flags: number }).content).toBe('Thanks for the feedback.');
    expect((cb.body['data'] as { flags: number }).flags & 64).toBe(64);
    expect(t.feedback).toContainEqual({ answerId: customId.split(':')[3], vote: 'down', userId: discord.ids.userId, platform: 'discord' });
    // A vote on an answer no longer on record is not thanked as if it counted.
    const stale = discord.sendButton({ customId: 'docent:fb:up:gone', messageId: original.id });
    const staleCb = await discord.waitFor(() => discord.state.callbackOf(stale.token));
    expect((staleCb.body['data'] as { content: string }).content).toBe('Sorry — I no longer have that answer on record, so the vote was not counted.');
  });

  it('(g) shows an error part as one polite sentence, and defuses mass mentions from answers', async () => {
    t.scripts.set('@here break it', { deltas: ['Partial text for @everyone and <@&1230000000000000401>.'], error: new DocentError('provider_failed', 'provider', 'hf: 503') });
    const sent = discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: '@here break it' }] });
    await discord.waitFor(() => discord.state.originalContent(sent.token)?.includes('Please try again in a minute'));
    const content = discord.state.originalContent(sent.token)!;
    expect(content).toContain('Sorry — a service Docent depends on is not answering right now.');
    expect(content).not.toMatch(/@everyone/);
    const thread = await discord.waitFor(() => discord.state.threads().find((th) => th['id'] === discord.state.original(sent.token)!.id));
    expect(String(thread['name'])).toBe('here break it');
  });

  it('text replies: a long private reply is split over private follow-ups; a slow one is deferred privately', async () => {
    t.sourcesReply.count = 60;
    t.sourcesReply.unscoped = true; // a scoped channel's /sources lists only its own sources (issue 15)
    const quick = discord.sendInteraction({ command: 'sources' });
    await discord.waitFor(() => discord.state.followUps(quick.token).length > 0);
    const cb = discord.state.callbackOf(quick.token)!;
    expect(cb.type).toBe(4);
    const first = cb.body['data'] as { content: string; flags: number };
    expect(first.flags & 64).toBe(64);
    const rest = discord.state.followUps(quick.token).map((m) => m.data);
    for (const m of rest) expect(Number(m['flags']) & 64).toBe(64);
    const all = [first.content, ...rest.map((m) => String(m['content']))];
    for (const c of all) expect(c.length).toBeLessThanOrEqual(2000);
    expect(all.join('')).toContain('catalogs/source-number-59');

    t.sourcesReply.delayMs = 2500;
    t.sourcesReply.count = 1;
    const slow = discord.sendInteraction({ command: 'sources' });
    const deferred = await discord.waitFor(() => discord.state.callbackOf(slow.token), { timeoutMs: 4000 });
    expect(deferred.type).toBe(5);
    expect(deferred.at - slow.dispatch.sentAt!).toBeLessThan(3000);
    expect(Number((deferred.body['data'] as { flags: number }).flags) & 64).toBe(64);
    await discord.waitFor(() => discord.state.originalContent(slow.token)?.includes('catalogs/source-number-0'), { timeoutMs: 5000 });
    t.sourcesReply.delayMs = 0;
    t.sourcesReply.unscoped = false;
  }, 15_000);

  it('moves a reply to the right visibility when the deferral guessed wrong (/ask with a blank question)', async () => {
    const sent = discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: '   ' }] });
    const followUp = await discord.waitFor(() => discord.state.followUps(sent.token)[0]);
    expect(String(followUp.data['content'])).toContain('Please add a question');
    expect(Number(followUp.data['flags']) & 64).toBe(64);
    await discord.waitFor(() => discord.state.original(sent.token)?.deletedAt);
    // Discord takes the first follow-up after a deferral, while it still shows "thinking…", as the resolution of
    // that loading state: it would edit the public deferred message and ignore the ephemeral flag. The private
    // refusal is safe only if the loading state was resolved (an edit of the original) before it was sent, and
    // that edit showed nothing of the refusal.
    const edits = discord.state.edits(sent.token);
    expect(edits.length).toBeGreaterThan(0);
    expect(edits[0]!.at).toBeLessThan(followUp.createdAt);
    for (const e of edits) expect(String(e.body['content'])).not.toContain('Please add a question');
  });

  it('sends the follow-ups of a deferred private reply only after resolving its loading state, all private', async () => {
    // A slow, long private reply: the deferral is private, and so must be every follow-up of the reply.
    Object.assign(t.sourcesReply, { delayMs: 2500, count: 60, unscoped: true });
    const slow = discord.sendInteraction({ command: 'sources' });
    await discord.waitFor(() => discord.state.followUps(slow.token).some((f) => String(f.data['content']).includes('catalogs/source-number-59')), { timeoutMs: 6000 });
    Object.assign(t.sourcesReply, { delayMs: 0, count: 1, unscoped: false });
    // A deferred private reply stays private, with each follow-up after the resolving edit.
    const original = discord.state.original(slow.token)!;
    expect(Number(original.data['flags']) & 64).toBe(64);
    for (const f of discord.state.followUps(slow.token)) {
      expect(Number(f.data['flags']) & 64).toBe(64);
      expect(discord.state.edits(slow.token)[0]!.at).toBeLessThan(f.createdAt);
    }
  }, 10_000);

  it('(f) resumes after a gateway disconnect (no new IDENTIFY) and still answers', async () => {
    expect(discord.state.gateway.identifies).toBe(1);
    await discord.disconnect({ code: 4000 });
    await discord.waitFor(() => discord.state.gateway.resumes === 1 && discord.state.gateway.connected, { timeoutMs: 15_000, what: 'a RESUME' });
    expect(discord.state.gateway.identifies).toBe(1);
    t.scripts.set('after resume', { deltas: ['Still here [1].'] });
    const sent = await ask('after resume');
    expect(discord.state.originalContent(sent.token)!.startsWith('Still here [1].')).toBe(true);
  }, 30_000);

  it('(g) never sent a payload that could ping anyone, in the whole suite', () => {
    const outgoing = discord.state.allOutgoing().filter((o) => ['webhook-message', 'webhook-edit', 'channel-message', 'message-edit', 'interaction-callback'].includes(o.kind));
    expect(outgoing.length).toBeGreaterThan(30);
    expect(discord.state.permissiveMentions()).toEqual([]);
    expect(discord.state.pings()).toEqual([]);
    for (const o of outgoing) {
      const body = (o.kind === 'interaction-callback' ? o.body['data'] : o.body) as Record<string, unknown> | undefined;
      if (!body || typeof body['content'] !== 'string') continue;
      expect(body['allowed_mentions'], `${o.method} ${o.path}`).toEqual({ parse: [], replied_user: false });
    }
    // And the token never went anywhere but the Authorization header.
    expect(JSON.stringify(discord.state.allOutgoing())).not.toContain('test-token');
  });
});
