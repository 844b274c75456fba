/**
 * Issue 14 on Discord, end to end: the real adapter against the loopback fake Discord, answering from a catalog
 * planted with links through the real answer pipeline (hostile-catalog.ts). Assertions are on what the fake
 * Discord holds: no message Docent sent carries a masked link or a linkable URL to evil — titles, questions,
 * quoted documents and source names arrive escaped — and the citation link to the record's own https URL is
 * there.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/index.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/fake-discord/index.js';
import { ANSWERED_QUESTION, EVIL_MARKDOWN_LINK, EVIL_URL, hostileServices, LINK_QUESTION, RECORD_URL } from '../hostile-catalog.js';

describe('Discord: no links from untrusted text', () => {
  let discord: FakeDiscord;
  let adapter: DiscordAdapter;

  beforeAll(async () => {
    discord = await startFakeDiscord({ token: 'test-token' });
    adapter = createDiscordAdapter({
      token: 'test-token', services: hostileServices().services, commands: commandList, logger: pino({ level: 'silent' }),
      settings: { editIntervalMs: 100, historyMessages: 12 }, restApi: discord.restUrl,
    });
    await adapter.start();
  });

  afterAll(async () => {
    await adapter?.stop();
    await discord?.close();
  });

  /** Sends /ask and waits for the final edit (the feedback buttons come with it). */
  async function ask(question: string): Promise<string> {
    const sent = discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: question }] });
    const original = await discord.waitFor(
      () => { const m = discord.state.original(sent.token); return m && JSON.stringify(m.data['components'] ?? []).includes('docent:fb:') ? m : undefined; },
      { timeoutMs: 10_000, what: `the answer to ${question}` },
    );
    return String(original.data['content']);
  }

  it('answers from a record titled as a link: the title is escaped, the planted URL defanged, the citation links the record', async () => {
    const content = await ask(ANSWERED_QUESTION);
    // The one link: the source list's masked link to the record's own URL, its label the escaped title.
    expect(content).toContain(`[1] [\\[click\\]\u200b(hxxp://evil.example)](<${RECORD_URL}>)`);
    // The document's bare URL, quoted in the answer, is text.
    expect(content).toContain('hxxps://evil.example/raw');
    expect(content).not.toMatch(EVIL_MARKDOWN_LINK);
    expect(content).not.toMatch(EVIL_URL);
  });

  it('echoes a `[x](http://evil)` question and names link-shaped titles in the not-found reply, as text', async () => {
    const content = await ask(LINK_QUESTION);
    expect(content).toContain("I couldn't find that in the catalog.");
    expect(content).toContain('"\\[click\\]\u200b(hxxp://evil.example)"');
    expect(content).toContain('Trail maps <javascript:alert(1)>');
    expect(content).not.toMatch(EVIL_MARKDOWN_LINK);
    expect(content).not.toMatch(EVIL_URL);
    // The thread opened on the answer is named after the question: defanged too.
    const names = discord.state.threads().map((t) => String(t['name']));
    expect(names).toContain('[x]\u200b(hxxp://evil)');
  });

  it('a mention with a link-shaped question gets a thread and a reply holding no link', async () => {
    const { messageId } = discord.sendMessage({ content: 'what about [docs](https://evil.example/phish)?', mentionsBot: true });
    const threadId = await discord.waitFor(() => discord.state.threadIds().find((id) => id === messageId));
    const reply = await discord.waitFor(() => discord.state.contentsIn(threadId).find((c) => c.includes("I couldn't find that")), { timeoutMs: 10_000 });
    expect(reply).not.toMatch(EVIL_MARKDOWN_LINK);
    expect(discord.state.threads().find((t) => t['id'] === threadId)?.['name']).toBe('what about [docs]\u200b(hxxps://evil.example/phish)?');
  });

  it('lists a link-shaped source name as text', async () => {
    const sent = discord.sendInteraction({ command: 'sources' });
    const cb = await discord.waitFor(() => discord.state.callbackOf(sent.token));
    const content = String((cb.body['data'] as { content: string }).content);
    expect(content).toContain('`[src]\u200b(hxxp://evil.example/source)`');
    expect(content).not.toMatch(EVIL_URL);
  });

  it('never sent a payload with a link to evil, in the whole run', () => {
    const sent = discord.state.allOutgoing().map((o) => JSON.stringify(o.body ?? ''));
    expect(sent.length).toBeGreaterThan(5);
    for (const body of sent) {
      expect(body).not.toMatch(EVIL_URL);
      expect(body).not.toMatch(EVIL_MARKDOWN_LINK);
    }
  });
});
