/**
 * Smoke test of the fake Discord with the real discord.js client: login and ready, a slash command answered
 * by deferReply/editReply/followUp, a button update, a mention answered in a thread, history fetch, a 429
 * honoured, and a dropped gateway resumed (not re-identified) with the missed dispatch replayed.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActionRowBuilder, ButtonBuilder, ButtonStyle, Client, GatewayIntentBits, type Interaction, type Message, type TextChannel,
} from 'discord.js';
import { Permission, startFakeDiscord, type FakeDiscord } from './index.js';

describe('fake Discord driven by discord.js', () => {
  let discord: FakeDiscord;
  let client: Client;
  const received: Message[] = [];
  const threadReplies = new Map<string, { threadId: string; fetched: string[] }>();
  const questions: (string | null)[] = [];

  beforeAll(async () => {
    discord = await startFakeDiscord({ heartbeatIntervalMs: 1000 });
    client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      rest: { api: discord.restUrl },
      allowedMentions: { parse: [] },
    });
    const onInteraction = async (interaction: Interaction): Promise<void> => {
      if (interaction.isChatInputCommand() && interaction.commandName === 'ask') {
        questions.push(interaction.options.getString('question'));
        await interaction.deferReply();
        await interaction.editReply('hi');
        await interaction.followUp('more');
      } else if (interaction.isButton() && interaction.customId === 'helpful') {
        await interaction.update({ content: 'thanks for the feedback', components: [] });
      }
    };
    const onMessage = async (message: Message): Promise<void> => {
      if (message.author.id === client.user?.id) return;
      received.push(message);
      if (!message.channel.isThread() && message.mentions.has(client.user!.id)) {
        const thread = await message.startThread({ name: 'Question' });
        await thread.send('x');
        const fetched = await thread.messages.fetch({ limit: 10 });
        threadReplies.set(message.id, { threadId: thread.id, fetched: [...fetched.values()].map((m) => `${m.type}:${m.content}`) });
      }
    };
    // discord.js ignores what a listener returns: a handler that rejects is an unhandled rejection, which vitest
    // reports and fails the run with — the same as before, now explicit.
    client.on('interactionCreate', (interaction) => void onInteraction(interaction));
    client.on('messageCreate', (message) => void onMessage(message));
    const ready = once(client, 'clientReady');
    await client.login('test-token');
    await ready;
  });

  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  it('logs in over the gateway and becomes ready as the bot user', async () => {
    expect(client.user?.id).toBe(discord.ids.botUserId);
    expect(client.guilds.cache.get(discord.ids.guildId)?.channels.cache.has(discord.ids.channelId)).toBe(true);
    const g = discord.state.gateway;
    expect(g.identifies).toBe(1);
    expect(g.identifyPayloads[0]?.token).toBe('test-token');
    expect(g.intents).toBe(GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent);
    expect(g.connections[0]).toMatchObject({ path: '/gateway', query: 'v=10&encoding=json' });
    expect(discord.state.restTokens.has('test-token')).toBe(true);
  });

  it('registers guild commands and stores them', async () => {
    await client.application!.commands.set(
      [{ name: 'ask', description: 'Ask the catalog', options: [{ name: 'question', description: 'q', type: 3, required: true }] }],
      discord.ids.guildId,
    );
    expect(discord.state.commands.guild[discord.ids.guildId]?.map((c) => c['name'])).toEqual(['ask']);
  });

  it('stores the deferred callback, the @original edit and the follow-up of a slash command', async () => {
    const { token } = discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: 'What is in the catalog?' }] });
    await discord.waitFor(() => discord.state.followUps(token).length === 1, { what: 'the follow-up' });
    expect(questions).toEqual(['What is in the catalog?']);
    expect(discord.state.callbackOf(token)?.type).toBe(5);
    expect(discord.state.edits(token).map((e) => e.body['content'])).toEqual(['hi']);
    expect(discord.state.originalContent(token)).toBe('hi');
    expect(discord.state.followUps(token)[0]?.data['content']).toBe('more');
    expect(discord.state.contentsIn(discord.ids.channelId)).toEqual(['hi', 'more']);
  });

  it('stores a button interaction answered with update()', async () => {
    const channel = client.channels.cache.get(discord.ids.channelId) as TextChannel;
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('helpful').setLabel('Helpful').setStyle(ButtonStyle.Success),
    );
    const posted = await channel.send({ content: 'Was this helpful?', components: [row] });
    const { token } = discord.sendButton({ customId: 'helpful' });
    await discord.waitFor(() => discord.state.callbackOf(token), { what: 'the button callback' });
    expect(discord.state.callbackOf(token)?.type).toBe(7);
    expect(discord.state.messages.get(posted.id)?.data['content']).toBe('thanks for the feedback');
    expect(discord.state.messages.get(posted.id)?.data['components']).toEqual([]);
  });

  it('delivers a mention as messageCreate and stores the thread the bot starts and posts in', async () => {
    const { messageId } = discord.sendMessage({ content: 'where are the maps?', mentionsBot: true });
    const reply = await discord.waitFor(() => threadReplies.get(messageId), { what: 'the thread reply' });
    expect(reply.threadId).toBe(messageId); // a thread started from a message takes its id
    expect(discord.state.threadIds(discord.ids.channelId)).toContain(messageId);
    expect(discord.state.threads()[0]).toMatchObject({ type: 11, parent_id: discord.ids.channelId, guild_id: discord.ids.guildId });
    expect(discord.state.contentsIn(reply.threadId)).toEqual(['x']);
    // Newest first; a thread started from a message opens with a type-21 starter message (empty content).
    expect(reply.fetched).toEqual(['0:x', '21:']);

    // A user follow-up inside the thread arrives too, and history comes back newest first.
    discord.sendMessage({ content: 'and the aerial photos?', channelId: reply.threadId });
    await discord.waitFor(() => received.find((m) => m.channelId === reply.threadId), { what: 'the thread message' });
    const thread = client.channels.cache.get(reply.threadId);
    expect(thread?.isThread()).toBe(true);
    const history = await (thread as TextChannel).messages.fetch({ limit: 10 });
    expect([...history.values()].map((m) => m.content)).toEqual(['and the aerial photos?', 'x', '']);
    const starter = [...history.values()].at(-1);
    expect(starter?.reference?.messageId).toBe(messageId);
  });

  it('makes discord.js wait out a 429 on PATCH @original before retrying', async () => {
    discord.rateLimit({ method: 'PATCH', pathPattern: '/webhooks/:app/:token/messages/@original', times: 1, retryAfterSec: 1 });
    const { token } = discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: 'slow?' }] });
    await discord.waitFor(() => discord.state.originalContent(token) === 'hi', { what: 'the retried edit' });
    const [limit] = discord.state.rateLimits;
    expect(limit).toMatchObject({ method: 'PATCH', forced: true, retryAfterSec: 1 });
    expect(limit?.waitedMs).toBeGreaterThanOrEqual(1000);
    expect(discord.state.edits(token)).toHaveLength(1);
  });

  it('resumes after a resumable close and replays what was dispatched meanwhile', async () => {
    const g = discord.state.gateway;
    await discord.disconnect({ code: 4000 });
    const { messageId, dispatch } = discord.sendMessage({ content: 'sent while you were away' });
    expect(dispatch?.sentAt).toBeUndefined();
    await discord.waitFor(() => received.find((m) => m.id === messageId), { what: 'the replayed message' });
    expect(g.identifies).toBe(1);
    expect(g.resumes).toBe(1);
    expect(dispatch?.replayedAt).toHaveLength(1);
    expect(g.connections.at(-1)?.path).toBe('/resume-gateway');

    discord.requestReconnect(); // op 7: the client closes and resumes by itself
    await discord.waitFor(() => g.resumes === 2, { what: 'the resume after op 7' });

    await discord.disconnect({ networkDrop: true });
    const second = discord.sendMessage({ content: 'and again' });
    await discord.waitFor(() => received.find((m) => m.id === second.messageId), { what: 'the second replay' });
    expect(g.identifies).toBe(1);
    expect(g.resumes).toBe(3);
  });

  it('saw heartbeats, no unknown routes and no message that could ping', async () => {
    await discord.waitFor(() => discord.state.gateway.heartbeats > 0, { what: 'a heartbeat' });
    expect(discord.state.unknownRoutes).toEqual([]);
    expect(discord.state.permissiveMentions()).toEqual([]);
    expect(discord.state.pings()).toEqual([]);
  });
});

describe('fake Discord enforces platform rules', () => {
  let discord: FakeDiscord;
  let client: Client;
  const received: Message[] = [];
  const lateErrors: unknown[] = [];

  beforeAll(async () => {
    discord = await startFakeDiscord({ ackDeadlineMs: 200 });
    // No MESSAGE_CONTENT intent and no client-wide allowedMentions: what a misconfigured bot would have.
    client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages], rest: { api: discord.restUrl } });
    client.on('messageCreate', (m) => void (m.author.id !== client.user?.id && received.push(m)));
    client.on('interactionCreate', (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      // Acknowledge after the 200 ms deadline; the refusal is caught and recorded, so nothing is left to reject.
      setTimeout(() => void interaction.deferReply().catch((e: unknown) => lateErrors.push(e)), 300);
    });
    const ready = once(client, 'clientReady');
    await client.login('test-token');
    await ready;
  });

  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  it('blanks message text without the MESSAGE_CONTENT intent unless the bot is mentioned', async () => {
    const plain = discord.sendMessage({ content: 'just chatting' });
    const mention = discord.sendMessage({ content: 'a question', mentionsBot: true });
    await discord.waitFor(() => received.length === 2, { what: 'both messages' });
    expect(received.find((m) => m.id === plain.messageId)?.content).toBe('');
    expect(received.find((m) => m.id === mention.messageId)?.content).toBe(`<@${discord.ids.botUserId}> a question`);
  });

  it('answers a callback after the acknowledgement deadline with 404 Unknown interaction', async () => {
    const { token } = discord.sendInteraction({ command: 'ask' });
    await discord.waitFor(() => lateErrors.length === 1, { what: 'the late deferReply to fail' });
    expect(lateErrors[0]).toMatchObject({ code: 10062, status: 404 });
    expect(discord.state.interaction(token)?.callbacks.map((c) => c.status)).toEqual([404]);
    expect(discord.state.callbackOf(token)).toBeUndefined();
  });

  it('rejects over-long content and flags payloads that could ping', async () => {
    const channel = client.channels.cache.get(discord.ids.channelId) as TextChannel;
    await expect(channel.send('x'.repeat(2001))).rejects.toMatchObject({ code: 50035, status: 400 });
    await channel.send(`thanks <@${discord.ids.userId}>`);
    expect(discord.state.botMessagesIn(discord.ids.channelId).map((m) => m.data['content'])).toEqual([`thanks <@${discord.ids.userId}>`]);
    expect(discord.state.permissiveMentions()).toHaveLength(2);
    expect(discord.state.pings().map((p) => p.users)).toEqual([[discord.ids.userId]]);
  });

  it("holds embeds to Discord's limits, hides them under SuppressEmbeds and drops them without Embed Links", async () => {
    const channel = client.channels.cache.get(discord.ids.channelId) as TextChannel;
    const invalid = (body: object) => expect(channel.send(body)).rejects.toMatchObject({ code: 50035, status: 400 });
    const field = (value: string) => ({ name: 'Downloads', value });
    await invalid({ embeds: [{ title: 'x', fields: [field('y'.repeat(1025))] }] });
    await invalid({ embeds: [{ title: 't'.repeat(257) }] });
    await invalid({ embeds: [{ title: 'x', url: 'javascript:alert(1)' }] });
    await invalid({ embeds: Array.from({ length: 11 }, () => ({ title: 'x' })) });
    // 6000 characters across all embeds of a message: two of 3001 are one too many.
    await invalid({ embeds: [{ description: 'd'.repeat(3001) }, { description: 'd'.repeat(3000) }] });
    const rejected = await channel.send({ embeds: [{ title: 'x', fields: [field('y'.repeat(1025))] }] }).catch((e: { rawError: unknown }) => e.rawError);
    expect(rejected).toMatchObject({ errors: { embeds: { '0': { fields: { '0': { value: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } } } } });

    const card = { title: '[1] Elk', url: 'https://example.org/elk', fields: [field('CSV: <https://example.org/elk.csv>')] };
    const sent = await channel.send({ content: 'cards', embeds: [card], flags: ['SuppressEmbeds'] });
    const stored = discord.state.messages.get(sent.id)!;
    expect(stored.data['embeds']).toEqual([]);
    await sent.edit({ content: 'cards', flags: [] });
    expect(stored.data['embeds']).toMatchObject([card]);

    const everyone = discord.state.roles.find((r) => r['id'] === discord.ids.everyoneRoleId)!;
    const granted = everyone['permissions'];
    everyone['permissions'] = (BigInt(String(granted)) & ~Permission.EmbedLinks).toString();
    try {
      const dropped = await channel.send({ content: 'no embed links', embeds: [card] });
      expect(discord.state.messages.get(dropped.id)!.data['embeds']).toEqual([]);
    } finally {
      everyone['permissions'] = granted;
    }
  });
});
