/**
 * Message Content intent refused (the Developer Portal's default): the fake closes IDENTIFY with 4014 like
 * Discord, and the real discord.js client inside `createDiscordAdapter` must come up anyway — one warning,
 * reconnected without the intent — with slash commands and @mentions answered, as Discord's rule allows:
 * https://discord.com/developers/docs/events/gateway#message-content-intent
 * Assertions are on what the fake holds (identify payloads, interaction replies, thread messages) and on the log.
 */
import { Writable } from 'node:stream';
import { GatewayIntentBits } from 'discord.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import type { DocentServices } from '../../../commands/services.js';
import { askOnlyServices } from '../../helpers/stub-services.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/index.js';
import type { AnswerPart, Question } from '../../../src/core/answer/types.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/fake-discord/index.js';
import { observe } from '../../reliability/observe.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Services that answer every question with a fixed text and one citation, and record what was asked. */
function answeringServices(asked: Question[]): DocentServices {
  let answers = 0;
  return askOnlyServices(function ask(question) {
    asked.push(question);
    async function* parts(): AsyncGenerator<AnswerPart> {
      yield { type: 'sources', passages: [] };
      const text = `Answer to: ${question.text} [1].`;
      yield { type: 'text-delta', text };
      yield {
        type: 'finish',
        info: {
          text, citations: [{ n: 1, passage: 1, title: 'Record 1', sourceId: 's1', url: 'https://example.org/r/1', path: null, page: 1 }],
          backend: 'scripted', finishReason: 'stop', fallbacks: [], degraded: [], cached: false, notFound: false,
          searchQuery: question.text, timings: { retrievalMs: 1, firstTokenMs: 1, totalMs: 2 },
        },
      };
    }
    return { answerId: `ans-${++answers}`, parts: parts() };
  });
}

describe('Discord adapter when Discord refuses the Message Content intent', () => {
  let discord: FakeDiscord;
  let adapter: DiscordAdapter;
  const asked: Question[] = [];
  const logLines: Array<{ level: number; msg: string; [k: string]: unknown }> = [];
  let startError: unknown;

  beforeAll(async () => {
    discord = await startFakeDiscord({ token: 'test-token', allowMessageContent: false });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) logLines.push(JSON.parse(line));
        done();
      },
    });
    adapter = createDiscordAdapter({
      token: 'test-token', services: answeringServices(asked), commands: commandList, logger: pino({ level: 'info' }, sink),
      settings: { editIntervalMs: 100, historyMessages: 12 }, restApi: discord.restUrl,
    });
    await adapter.start().catch((err: unknown) => (startError = err));
  });

  afterAll(async () => {
    await adapter?.stop();
    await discord?.close();
  });

  it('starts without the intent, warns once, and still answers /ask and @mentions', async () => {
    const identifies = discord.state.gateway.identifyPayloads.map((p) => p.intents);
    const closes = discord.state.gateway.closes;
    const warnings = logLines.filter((l) => l.level >= 40);
    const intentWarnings = warnings.filter((l) => /Message Content/.test(l.msg));

    // /ask: the interaction's original response holds the answer.
    const sent = startError ? undefined : discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: 'where are the trail maps?' }] });
    const slash = sent && (await discord.waitFor(() => discord.state.originalContent(sent.token)?.includes('Answer to: where are the trail maps?') && discord.state.originalContent(sent.token), { what: 'the /ask answer' }).catch(() => undefined));

    // An @mention: Discord delivers its text without the intent, so it opens a thread and is answered there.
    const mention = startError ? undefined : discord.sendMessage({ content: 'what is the sensor network?', mentionsBot: true });
    const threadId = mention && (await discord.waitFor(() => discord.state.threadIds().find((id) => id === mention.messageId), { what: 'the thread on the mention' }).catch(() => undefined));
    const mentionAnswer = threadId && (await discord.waitFor(() => discord.state.contentsIn(threadId).find((c) => c.startsWith('Answer to: what is the sensor network?')), { what: 'the mention answer' }).catch(() => undefined));

    // A follow-up in the thread without a mention arrives blank (as on Discord) and is left alone.
    const followUp = threadId ? discord.sendMessage({ channelId: threadId, content: 'and in winter?' }) : undefined;
    if (followUp) await sleep(400);
    const askedTexts = asked.map((q) => q.text);

    observe(
      'discord/intent-refused',
      `start ${startError ? `rejected: ${String(startError)}` : 'resolved'}; identify intents ${identifies.join(' then ')}; ` +
        `close codes ${closes.map((c) => c.code).join(',') || 'none'}; ${warnings.length} warning(s), ${intentWarnings.length} about the intent; ` +
        `/ask answered: ${slash ? 'yes' : 'no'}; mention answered: ${mentionAnswer ? 'yes' : 'no'}; ` +
        `un-mentioned follow-up delivered as "${followUp?.dispatch?.d['content'] ?? '?'}", asked: ${askedTexts.includes('and in winter?') ? 'yes' : 'no'}`,
    );

    expect(startError).toBeUndefined();
    const base = GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages;
    expect(identifies).toEqual([base | GatewayIntentBits.MessageContent, base]);
    expect(closes.map((c) => c.code)).toContain(4014);
    expect(discord.state.gateway.connected).toBe(true);

    expect(warnings).toHaveLength(1);
    expect(intentWarnings).toHaveLength(1);
    expect(intentWarnings[0]!.msg).toMatch(/Slash commands .* and @mentions of the bot still work/);
    expect(intentWarnings[0]!['code']).toBe(4014);
    expect(logLines.find((l) => l.msg === 'connected to Discord')?.['messageContent']).toBe(false);

    expect(slash).toContain('Answer to: where are the trail maps?');
    expect(mentionAnswer).toBeTruthy();
    expect(followUp?.dispatch?.d['content']).toBe('');
    expect(askedTexts).toEqual(['where are the trail maps?', 'what is the sensor network?']);
  });
});
