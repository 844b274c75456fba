/**
 * An `/ask` whose queue wait plus generation outlives its interaction token, scaled down: the fake's tokens live
 * 4 s instead of Discord's 15 minutes, the adapter hands off at 2.5 s instead of 14 minutes, and the answer takes
 * ~5 s to write. It must end up shown on the reply (with its sources and buttons), edited by bot token after the
 * handoff, and no request may reach Discord with the dead token. A question still queued at the handoff is
 * refused politely through the token, before it dies.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import type { DocentServices } from '../../../commands/services.js';
import { askOnlyServices } from '../../helpers/stub-services.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/index.js';
import { AdmissionControl } from '../../../src/core/answer/admission.js';
import type { AnswerPart, Question } from '../../../src/core/answer/types.js';
import type { DocentError } from '../../../src/core/errors.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/fake-discord/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TOKEN_LIFETIME_MS = 4000;
const WORDS = 25;
const WORD_MS = 200;

/** Services whose answers wait for a slot (one at a time) and then write WORDS words, one per WORD_MS. */
function slowServices(waits: Array<number | undefined>): DocentServices {
  const admission = new AdmissionControl({ maxConcurrent: 1, maxQueued: 5, perUser: 5 });
  return askOnlyServices(function ask(question: Question, opts) {
    waits.push(opts?.maxWaitMs);
    async function* parts(): AsyncGenerator<AnswerPart> {
      let release: () => void;
      try {
        release = await admission.admit(question.askerId, undefined, opts?.maxWaitMs);
      } catch (err) {
        yield { type: 'error', error: err as DocentError };
        return;
      }
      try {
        yield { type: 'sources', passages: [] };
        const words: string[] = [];
        for (let n = 1; n <= WORDS; n++) {
          words.push(`word${n}`);
          yield { type: 'text-delta', text: `word${n} ` };
          await sleep(WORD_MS);
        }
        const text = `${words.join(' ')} [1].`;
        yield {
          type: 'finish',
          info: {
            text, citations: [{ n: 1, passage: 1, title: 'Trail maps', sourceId: 's', url: null, path: 'maps.md', page: null }],
            backend: 'scripted', finishReason: 'stop', fallbacks: [], degraded: [], cached: false, notFound: false,
            searchQuery: question.text, timings: { retrievalMs: 1, firstTokenMs: 1, totalMs: 2 },
          },
        };
      } finally {
        release();
      }
    }
    return { answerId: `ans-${waits.length}`, parts: parts() };
  });
}

describe('/ask longer than the interaction token lives', () => {
  let discord: FakeDiscord | undefined;
  let adapter: DiscordAdapter | undefined;
  afterEach(async () => {
    await adapter?.stop();
    await discord?.close();
  });

  async function start(tokenHandoffMs: number, waits: Array<number | undefined>): Promise<FakeDiscord> {
    discord = await startFakeDiscord({ token: 'test-token', interactionTokenLifetimeMs: TOKEN_LIFETIME_MS });
    adapter = createDiscordAdapter({
      token: 'test-token', services: slowServices(waits), commands: commandList, logger: pino({ level: 'silent' }),
      settings: { editIntervalMs: 200, historyMessages: 12, tokenHandoffMs }, restApi: discord.restUrl,
    });
    await adapter.start();
    return discord;
  }

  const ask = (d: FakeDiscord, q: string) => d.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: q }] });

  /** The requests made with one interaction's token, and the bot-token edits of its original reply. */
  function traffic(d: FakeDiscord, token: string) {
    const original = d.state.original(token)!;
    const viaToken = d.state.requests.filter((r) => r.path.startsWith(`/webhooks/${d.ids.applicationId}/${token}`));
    const byBot = d.state.outgoing.filter((o) => o.kind === 'message-edit' && o.path === `/channels/${original.channelId}/messages/${original.id}`);
    return { original, viaToken, byBot };
  }

  it('hands off to bot-token edits and ends with the whole answer, sources and buttons shown', async () => {
    const d = await start(2500, []);
    const sent = ask(d, 'where are the trail maps?');
    const shown = await d.waitFor(() => {
      const c = d.state.originalContent(sent.token);
      return c?.includes('**Sources**') ? c : undefined;
    }, { timeoutMs: WORDS * WORD_MS + 8000, what: 'the finished answer on the reply' });
    expect(shown).toMatch(/^word1 word2 [\s\S]*word25 \[1\]\.\n\n\*\*Sources\*\*\n\[1\] Trail maps/);
    const t = traffic(d, sent.token);
    expect((t.original.data['components'] as unknown[]).length).toBeGreaterThan(0);
    // The stream started through the token, went on by bot token, and the token was never used past its life.
    expect(t.viaToken.some((x) => x.method === 'PATCH' && x.status === 200)).toBe(true);
    expect(t.viaToken.filter((x) => x.status === 401)).toEqual([]);
    expect(t.viaToken.every((x) => x.at - sent.record.dispatch!.createdAt < TOKEN_LIFETIME_MS)).toBe(true);
    expect(t.byBot.length).toBeGreaterThan(0);
    expect(t.byBot.every((o) => o.status === 200)).toBe(true);
    expect(String(t.byBot.at(-1)!.body['content'])).toBe(shown);
    // The reply itself was edited: no stand-in message was posted in the channel.
    expect(d.state.botMessagesIn(d.ids.channelId)).toHaveLength(1);
  }, 20_000);

  it('stops using the token at the first 50027 when the handoff comes too late', async () => {
    const d = await start(60_000, []);
    const sent = ask(d, 'where are the trail maps?');
    await d.waitFor(() => d.state.originalContent(sent.token)?.includes('**Sources**'), { timeoutMs: WORDS * WORD_MS + 8000, what: 'the finished answer' });
    const t = traffic(d, sent.token);
    expect(t.viaToken.filter((x) => x.status === 401)).toHaveLength(1);
    const dead = t.viaToken.find((x) => x.status === 401)!;
    expect(t.viaToken.filter((x) => x.at > dead.at)).toEqual([]);
    expect(t.byBot.length).toBeGreaterThan(0);
  }, 20_000);

  it('refuses a question still queued at the handoff, through the token before it dies', async () => {
    const waits: Array<number | undefined> = [];
    const d = await start(2500, waits);
    const first = ask(d, 'first question');
    await d.waitFor(() => d.state.originalContent(first.token)?.includes('word1'), { what: 'the first answer streaming' });
    const second = ask(d, 'second question');
    const refused = await d.waitFor(() => {
      const c = d.state.originalContent(second.token);
      return c && /try again/i.test(c) ? c : undefined;
    }, { timeoutMs: 6000, what: 'the polite refusal of the queued question' });
    expect(refused).not.toContain('word1');
    expect(waits[1]).toBeGreaterThan(0);
    expect(waits[1]).toBeLessThanOrEqual(2500);
    const t = traffic(d, second.token);
    expect(t.viaToken.filter((x) => x.status === 401)).toEqual([]);
    expect(t.viaToken.every((x) => x.at - second.record.dispatch!.createdAt < TOKEN_LIFETIME_MS)).toBe(true);
    // The first answer, meanwhile, still ends shown.
    await d.waitFor(() => d.state.originalContent(first.token)?.includes('**Sources**'), { timeoutMs: WORDS * WORD_MS + 8000, what: 'the first answer' });
  }, 20_000);
});
