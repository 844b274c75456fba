/**
 * Issue 14 on Slack, end to end: the real adapter (Bolt over Socket Mode) against the loopback fake Slack,
 * answering from a catalog planted with links through the real answer pipeline (hostile-catalog.ts), with
 * native streaming and with placeholder + chat.update. Assertions are on what the fake Slack holds: no message
 * text or block carries a `<url|…>` link, a Markdown link or a linkable URL to evil — titles, questions,
 * quoted documents and source names arrive escaped — and the source list links the record's own https URL.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/index.js';
import { startFakeSlack, type FakeSlack, type StoredMessage } from '../../fakes/fake-slack/index.js';
import { ANSWERED_QUESTION, EVIL_MARKDOWN_LINK, EVIL_URL, hostileServices, LINK_QUESTION, RECORD_URL } from '../hostile-catalog.js';

/** Everything a message shows: its text (streamed Markdown or mrkdwn) and its blocks. */
function shown(m: StoredMessage): string {
  return `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;
}

function expectNoEvilLink(text: string): void {
  expect(text).not.toMatch(EVIL_URL);
  expect(text).not.toMatch(EVIL_MARKDOWN_LINK);
}

/** The thread's bot replies once the answer is final (its last message carries the feedback buttons). */
function finalReplies(slack: FakeSlack, channel: string, threadTs: string): StoredMessage[] | undefined {
  const replies = slack.state.botReplies(channel, threadTs);
  const last = replies.at(-1);
  return last && JSON.stringify(last.blocks ?? []).includes('docent:fb:up:') && (!last.stream || last.stream.state === 'stopped') ? replies : undefined;
}

for (const mode of ['native', 'update'] as const) {
  describe(`Slack (${mode === 'native' ? 'native streaming' : 'placeholder + chat.update'}): no links from untrusted text`, () => {
    let slack: FakeSlack;
    let adapter: SlackAdapter;

    beforeAll(async () => {
      slack = await startFakeSlack(mode === 'native' ? {} : { streaming: false });
      adapter = createSlackAdapter({
        botToken: 'xoxb-test', appToken: 'xapp-test', mode: 'socket', port: 0, services: hostileServices().services, commands: commandList,
        logger: pino({ level: 'silent' }), settings: { streaming: mode === 'native' ? 'native' : 'update', updateIntervalMs: 100, historyMessages: 10 },
        slackApiUrl: slack.apiUrl, socketPingTimeoutMs: 500,
      });
      await adapter.start();
    });

    afterAll(async () => {
      await adapter?.stop();
      await slack?.close();
    });

    it('answers from a record titled as a link: text stays text, the source list links the record', async () => {
      const sent = slack.sendEvent({ type: 'app_mention', text: ANSWERED_QUESTION });
      const replies = await slack.waitFor(() => finalReplies(slack, sent.channel!, sent.ts!), { timeoutMs: 10_000 });
      const all = replies.map(shown).join('\n');
      expect(all).toContain(`<${RECORD_URL}|[click]\u200b(hxxp://evil.example)>`);
      expect(all).toContain('hxxps://evil.example/raw');
      expectNoEvilLink(all);
      // Every mrkdwn section is verbatim: Slack does not auto-link what is left.
      const sections = replies.flatMap((r) => (r.blocks ?? []).filter((b) => b['type'] === 'section'));
      expect(sections.length).toBeGreaterThan(0);
      for (const s of sections) expect(s['text']).toMatchObject({ type: 'mrkdwn', verbatim: true });
      if (mode === 'native') expect(replies[0]!.stream?.appends.map((a) => JSON.stringify(a)).join('') ?? '').not.toMatch(EVIL_URL);
    });

    it('names link-shaped titles in the not-found reply as text', async () => {
      const sent = slack.sendEvent({ type: 'app_mention', text: LINK_QUESTION });
      const replies = await slack.waitFor(() => finalReplies(slack, sent.channel!, sent.ts!), { timeoutMs: 10_000 });
      const all = replies.map(shown).join('\n');
      expect(all).toContain("I couldn't find that in the catalog.");
      expect(all).toContain('"[click]\u200b(hxxp://evil.example)"');
      expect(all).toContain('Trail maps &lt;javascript:alert(1)&gt;');
      expectNoEvilLink(all);
    });

    it('echoes `/docent [text](http://evil)` as text and answers under it', async () => {
      slack.sendSlashCommand({ text: '[text](http://evil.example/ask)' });
      const root = await slack.waitFor(() => slack.state.botMessages(slack.ids.channelId).find((m) => m.text.includes(' asked: ')));
      expect(root.text).toMatch(/ asked: \[text\]\u200b\(hxxp:\/\/evil\.example\/ask\)$/);
      const replies = await slack.waitFor(() => finalReplies(slack, root.channel, root.ts), { timeoutMs: 10_000 });
      expectNoEvilLink(replies.map(shown).join('\n'));
    });

    it('never sent Slack a link to evil, in any call of the run', async () => {
      // A command reply naming a link-shaped source goes out through response_url.
      slack.sendSlashCommand({ text: 'sources' });
      const listed = await slack.waitFor(() => slack.state.ephemerals.find((e) => e.text.includes('documents')));
      expect(listed.text).toContain('`[src]\u200b(hxxp://evil.example/source)`');
      const bodies = slack.state.allOutgoing().map((o) => JSON.stringify(o.body));
      expect(bodies.length).toBeGreaterThan(3);
      for (const body of bodies) {
        expect(body).not.toMatch(EVIL_URL);
        expect(body).not.toMatch(EVIL_MARKDOWN_LINK);
      }
    });
  });
}
