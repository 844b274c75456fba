/**
 * Mentions through the bot's managed role: Discord's @ autocomplete offers both the bot and its integration role
 * (same name), and picking the role sends `<@&roleId>` with the role in `mention_roles`, not the bot in
 * `mentions`. Such a message is answered like a mention of the bot (thread on the message, the role mention
 * stripped from the question); a mention of any other role is not.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import { echoServices } from '../../helpers/stub-services.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/index.js';
import type { Question } from '../../../src/core/answer/types.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/fake-discord/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


describe('Discord: a mention of the bot\'s managed role', () => {
  let discord: FakeDiscord;
  let adapter: DiscordAdapter;
  const asked: Question[] = [];

  beforeAll(async () => {
    discord = await startFakeDiscord({ token: 'test-token' });
    adapter = createDiscordAdapter({
      token: 'test-token', services: echoServices(asked), commands: commandList, logger: pino({ level: 'silent' }),
      settings: { editIntervalMs: 100, historyMessages: 12 }, restApi: discord.restUrl,
    });
    await adapter.start();
  });

  afterAll(async () => {
    await adapter?.stop();
    await discord?.close();
  });

  it('is answered in a thread on the message, like a user mention', async () => {
    const sent = discord.sendMessage({ content: `<@&${discord.ids.botRoleId}> where are the trail maps?` });
    expect(sent.dispatch?.d['mention_roles']).toEqual([discord.ids.botRoleId]);
    expect(sent.dispatch?.d['mentions']).toEqual([]);
    const answer = await discord.waitFor(
      () => discord.state.contentsIn(sent.messageId).find((c) => c.startsWith('Answer to:')),
      { what: 'the answer in the thread opened on the message' },
    );
    expect(answer).toBe('Answer to: where are the trail maps?');
    expect(asked.map((q) => q.text)).toEqual(['where are the trail maps?']);
  });

  it('ignores a mention of another role', async () => {
    const sent = discord.sendMessage({ content: `<@&${discord.ids.memberRoleId}> anyone seen the trail maps?` });
    await sleep(400);
    expect(discord.state.threadIds().includes(sent.messageId)).toBe(false);
    expect(asked).toHaveLength(1);
  });
});
