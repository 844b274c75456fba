/**
 * Issue 14 part 4 on Discord, end to end: the real adapter against the loopback fake Discord, answering "is
 * there data on elk since 2015?" through the real answer pipeline over the catalog-cards fixture (plus one
 * record titled `[click](http://evil.example)`, catalog-cards.ts). Assertions are on what the fake Discord
 * holds: the answer's last message carries one rich embed per dataset card — "[n] title" linked to the landing
 * page, the summary, Period / Updated / Publisher / Formats fields, "format: <url>" download lines — within
 * Discord's embed limits (which the fake enforces), with SuppressEmbeds cleared on that message only; the
 * planted title is text. Where the bot lacks Embed Links (Discord would drop its embeds), the same cards
 * arrive as Markdown in the message text.
 */
import { embedLength, type APIEmbed } from 'discord.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/index.js';
import { startFakeDiscord, type FakeDiscord, type StoredMessage } from '../../fakes/fake-discord/index.js';
import { EVERYONE_PERMISSIONS, Permission } from '../../fakes/fake-discord/payloads.js';
import { validateMessageBody } from '../../fakes/fake-discord/platform.js';
import { catalogCardsServices, CARDS_QUESTION, EXPECTED_TITLES, HOSTILE_DOWNLOAD, HOSTILE_LANDING, type CatalogCardsServices } from '../catalog-cards.js';
import { EVIL_MARKDOWN_LINK, EVIL_URL } from '../hostile-catalog.js';

const SUPPRESS_EMBEDS = 1 << 2;
/** The planted title as a Discord embed title shows it: escaped brackets, `](` broken, the URL defanged. */
const HOSTILE_TITLE_SHOWN = '\\[click\\]\u200b(hxxp://evil.example)';

let catalog: CatalogCardsServices;
beforeAll(async () => {
  catalog = await catalogCardsServices();
}, 120_000);
afterAll(() => catalog?.close());

async function startAdapter(discord: FakeDiscord): Promise<DiscordAdapter> {
  const adapter = createDiscordAdapter({
    token: 'test-token', services: catalog.services, commands: commandList, logger: pino({ level: 'silent' }),
    settings: { editIntervalMs: 100, historyMessages: 12 }, restApi: discord.restUrl,
  });
  await adapter.start();
  return adapter;
}

const hasButtons = (m: StoredMessage) => JSON.stringify(m.data['components'] ?? []).includes('docent:fb:');

/** Runs /ask and returns the answer's messages (@original, then follow-ups) once the last has its buttons. */
async function ask(discord: FakeDiscord, question: string): Promise<StoredMessage[]> {
  const sent = discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: question }] });
  return discord.waitFor(() => {
    const original = discord.state.original(sent.token);
    // A long answer continues in the thread opened on the reply (its id is the reply's), else in follow-ups.
    const all = original ? [original, ...discord.state.botMessagesIn(original.id), ...discord.state.followUps(sent.token)] : [];
    return all.length && hasButtons(all.at(-1)!) ? all : undefined;
  }, { timeoutMs: 15_000, what: `the answer to ${question}` });
}

/** Mentions the bot in the channel and returns the bot's messages in the thread once the answer is final. */
async function mention(discord: FakeDiscord, question: string): Promise<StoredMessage[]> {
  const { messageId } = discord.sendMessage({ content: question, mentionsBot: true });
  const threadId = await discord.waitFor(() => discord.state.threadIds().find((id) => id === messageId));
  return discord.waitFor(() => {
    const replies = discord.state.botMessagesIn(threadId);
    return replies.length && hasButtons(replies.at(-1)!) ? replies : undefined;
  }, { timeoutMs: 15_000, what: `the threaded answer to ${question}` });
}

const embedsOf = (m: StoredMessage) => (m.data['embeds'] ?? []) as APIEmbed[];
const field = (e: APIEmbed, name: string) => e.fields?.find((f) => f.name === name)?.value;
/** The `[n]` the source list gives a title (`[n] [title](<url>)`). */
const sourceNumber = (content: string, title: string) => new RegExp(`^\\[(\\d+)\\] \\[${title.replace(/[\\[\]().*+?^$|]/g, '\\$&')}\\]`, 'm').exec(content)?.[1];

function expectCardEmbeds(messages: StoredMessage[]): APIEmbed[] {
  const last = messages.at(-1)!;
  const embeds = embedsOf(last);
  // Embeds go on the last message only, the one that does not suppress them; the others keep SuppressEmbeds.
  for (const m of messages.slice(0, -1)) {
    expect(embedsOf(m)).toEqual([]);
    expect(Number(m.data['flags']) & SUPPRESS_EMBEDS).toBe(SUPPRESS_EMBEDS);
  }
  expect(Number(last.data['flags']) & SUPPRESS_EMBEDS).toBe(0);
  expect(String(messages[0]!.data['content'])).toMatch(/^Records covering 2015 or later:\n/);

  // One embed per card, titled "[n] title": n is the number the source list gives the record.
  expect(embeds.map((e) => e.title!.replace(/^\[\d+\] /, '')).sort()).toEqual(
    EXPECTED_TITLES.map((t) => (t.startsWith('[click]') ? HOSTILE_TITLE_SHOWN : t)).sort(),
  );
  const content = messages.map((m) => String(m.data['content'])).join('\n');
  for (const e of embeds.filter((x) => !x.title!.includes('click'))) {
    const [, n, title] = /^\[(\d+)\] (.+)$/.exec(e.title!)!;
    const cited = sourceNumber(content, title!);
    if (cited) expect(n).toBe(cited);
  }

  // Within Discord's limits (the fake enforces them too: the message would not exist otherwise).
  expect(embeds.length).toBeLessThanOrEqual(10);
  expect(embeds.reduce((sum, e) => sum + embedLength(e), 0)).toBeLessThanOrEqual(6000);
  for (const e of embeds) {
    expect(e.title!.length).toBeLessThanOrEqual(256);
    expect((e.description ?? '').length).toBeLessThanOrEqual(4096);
    for (const f of e.fields ?? []) expect(f.value.length).toBeLessThanOrEqual(1024);
  }
  expect(validateMessageBody({ content: last.data['content'], embeds }, { create: true })).toBeUndefined();

  const collars = embeds.find((e) => e.title!.includes('Elk GPS Collar'))!;
  expect(collars).toMatchObject({
    url: 'https://data.example.org/datasets/elk-gps-collars',
    description: 'GPS collar data recording elk movement across the Blue Mountains of northeast Oregon.',
  });
  expect(collars.fields!.map((f) => f.name)).toEqual(['Period', 'Updated', 'Publisher', 'Formats', 'Downloads']);
  expect(field(collars, 'Period')).toBe('2016-01-01 to 2021-12-31');
  expect(field(collars, 'Updated')).toBe('2022-03-01');
  expect(field(collars, 'Publisher')).toBe('Blue Mountains Wildlife Program');
  expect(field(collars, 'Formats')).toBe('CSV, GeoJSON, HTML, ZIP');
  expect(field(collars, 'Downloads')).toBe([
    'ISO-19139 metadata: <https://data.example.org/metadata/elk-gps-collars.xml>',
    'CSV: <https://data.example.org/download/elk-gps-collars.csv>',
    'GeoJSON: <https://data.example.org/download/elk-gps-collars.geojson>',
  ].join('\n'));
  const winter = embeds.find((e) => e.title!.endsWith('Elk Winter Range'))!;
  expect(winter.fields!.map((f) => f.name)).toEqual(['Updated', 'Publisher', 'Formats', 'Downloads']);

  // The planted record: its title, publisher and description are text; its own https URLs are its links.
  const planted = embeds.find((e) => e.title!.includes('click'))!;
  expect(planted.title).toMatch(/^\[\d+\] \\\[click\\\]\u200b\(hxxp:\/\/evil\.example\)$/);
  expect(planted.url).toBe(HOSTILE_LANDING);
  expect(planted.description).toContain('hxxps://evil.example/raw');
  expect(field(planted, 'Publisher')).toBe('\\[pub\\]\u200b(hxxp://evil.example/pub)');
  expect(field(planted, 'Downloads')).toBe(`CSV: <${HOSTILE_DOWNLOAD}>`);
  return embeds;
}

function expectNoEvilLink(discord: FakeDiscord): void {
  for (const o of discord.state.allOutgoing()) {
    const body = JSON.stringify(o.body ?? '');
    expect(body).not.toMatch(EVIL_URL);
    expect(body).not.toMatch(EVIL_MARKDOWN_LINK);
  }
}

describe('Discord: dataset cards as embeds', () => {
  let discord: FakeDiscord;
  let adapter: DiscordAdapter;

  beforeAll(async () => {
    discord = await startFakeDiscord({ token: 'test-token' });
    adapter = await startAdapter(discord);
  });
  afterAll(async () => {
    await adapter?.stop();
    await discord?.close();
  });

  it('/ask: the answer carries one embed per card on its last message, within the limits, the planted title as text', async () => {
    const messages = await ask(discord, CARDS_QUESTION);
    expectCardEmbeds(messages);
    // The streaming states before it had no embeds and suppressed previews.
    const edits = discord.state.edits(discord.state.interaction(messages[0]!.interactionId!)!.token);
    expect(edits.length).toBeGreaterThan(0);
    for (const e of edits.slice(0, -1)) expect(e.body['embeds'] ?? []).toEqual([]);
    expect(String(messages.at(-1)!.data['content'])).not.toContain('**Datasets**');
  });

  it('a mention: the threaded answer carries the same embeds (channel messages, edited in place)', async () => {
    const messages = await mention(discord, CARDS_QUESTION);
    expectCardEmbeds(messages);
  });

  it('never sent a payload with a link to evil', () => {
    expect(discord.state.allOutgoing().length).toBeGreaterThan(4);
    expectNoEvilLink(discord);
  });
});

describe('Discord without Embed Links: dataset cards as Markdown', () => {
  let discord: FakeDiscord;
  let adapter: DiscordAdapter;

  beforeAll(async () => {
    discord = await startFakeDiscord({ token: 'test-token', everyonePermissions: EVERYONE_PERMISSIONS & ~Permission.EmbedLinks });
    adapter = await startAdapter(discord);
  });
  afterAll(async () => {
    await adapter?.stop();
    await discord?.close();
  });

  function expectCardMarkdown(messages: StoredMessage[]): void {
    for (const m of messages) {
      expect(embedsOf(m)).toEqual([]);
      expect(m.history.every((h) => !(h.body['embeds'] as unknown[] | undefined)?.length)).toBe(true);
    }
    const content = messages.map((m) => String(m.data['content'])).join('\n');
    const cards = content.slice(content.indexOf('\n**Datasets**\n'));
    expect(cards).toContain('\n**Datasets**\n');
    expect(cards).toMatch(/\n\[\d+\] \[Elk GPS Collar Locations, Blue Mountains\]\(<https:\/\/data\.example\.org\/datasets\/elk-gps-collars>\)\nGPS collar data recording elk movement across the Blue Mountains of northeast Oregon\.\nPeriod: 2016-01-01 to 2021-12-31 · Updated: 2022-03-01 · Publisher: Blue Mountains Wildlife Program · Formats: CSV, GeoJSON, HTML, ZIP\nISO-19139 metadata: <https:\/\/data\.example\.org\/metadata\/elk-gps-collars\.xml>\nCSV: </);
    expect(cards).toMatch(new RegExp(`\\n\\[\\d+\\] \\[\\\\\\[click\\\\\\]\u200b\\(hxxp://evil\\.example\\)\\]\\(<${HOSTILE_LANDING.replace(/\./g, '\\.')}>\\)\\n`));
    expect(cards).toContain(`CSV: <${HOSTILE_DOWNLOAD}>`);
    for (const t of ['Elk Calving Areas', 'Elk Winter Range']) expect(cards).toContain(`[${t}](<https://`);
    // After the source list, so thread history (which cuts the list off) never reads them back.
    expect(content.indexOf('\n**Sources**\n')).toBeGreaterThan(0);
    expect(content.indexOf('\n**Sources**\n')).toBeLessThan(content.indexOf('\n**Datasets**\n'));
    for (const m of messages) expect(String(m.data['content']).length).toBeLessThanOrEqual(2000);
  }

  it('a mention: the cards arrive as Markdown after the sources, the planted title as text', async () => {
    expectCardMarkdown(await mention(discord, CARDS_QUESTION));
  });

  it('/ask without Embed Links in app_permissions: Markdown too', async () => {
    expectCardMarkdown(await ask(discord, CARDS_QUESTION));
    expectNoEvilLink(discord);
  });
});
