/**
 * Issue 14 part 4 on Slack, end to end: the real adapter (Bolt over Socket Mode) against the loopback fake
 * Slack, answering "is there data on elk since 2015?" through the real answer pipeline over the catalog-cards
 * fixture (plus one record titled `[click](http://evil.example)`, catalog-cards.ts), with native streaming
 * (cards as chat.stopStream blocks) and with placeholder + chat.update (cards in the final update's blocks).
 * Assertions are on what the fake Slack holds: the answer's last message carries a section per card —
 * `*<landing|[n] title>*` and the summary — and a context line "Period · Updated · Publisher · Formats" with
 * the download links, before the sources, within Block Kit's limits (which the fake enforces); the planted
 * title is text.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/index.js';
import { startFakeSlack, type FakeSlack, type StoredMessage, type Wire } from '../../fakes/fake-slack/index.js';
import { validateBlocks } from '../../fakes/fake-slack/limits.js';
import { catalogCardsServices, CARDS_QUESTION, HOSTILE_DOWNLOAD, HOSTILE_LANDING, type CatalogCardsServices } from '../catalog-cards.js';
import { EVIL_MARKDOWN_LINK, EVIL_URL } from '../hostile-catalog.js';

let catalog: CatalogCardsServices;
beforeAll(async () => {
  catalog = await catalogCardsServices();
}, 120_000);
afterAll(() => catalog?.close());

/** The thread's bot replies once the answer is final (its last message carries the feedback buttons). */
function finalReplies(slack: FakeSlack, channel: string, threadTs: string): StoredMessage[] | undefined {
  const replies = slack.state.botReplies(channel, threadTs);
  const last = replies.at(-1);
  return last && JSON.stringify(last.blocks ?? []).includes('docent:fb:up:') && (!last.stream || last.stream.state === 'stopped') ? replies : undefined;
}

const textOf = (b: Wire): string => String((b['text'] as Wire | undefined)?.['text'] ?? '');
const contextText = (b: Wire): string => ((b['elements'] as Wire[] | undefined) ?? []).map((e) => String(e['text'] ?? '')).join('\n');

for (const mode of ['native', 'update'] as const) {
  describe(`Slack (${mode === 'native' ? 'native streaming' : 'placeholder + chat.update'}): dataset cards as Block Kit`, () => {
    let slack: FakeSlack;
    let adapter: SlackAdapter;

    beforeAll(async () => {
      slack = await startFakeSlack(mode === 'native' ? {} : { streaming: false });
      adapter = createSlackAdapter({
        botToken: 'xoxb-test', appToken: 'xapp-test', mode: 'socket', port: 0, services: catalog.services, commands: commandList,
        logger: pino({ level: 'silent' }), settings: { streaming: mode, updateIntervalMs: 100, historyMessages: 10 },
        slackApiUrl: slack.apiUrl, socketPingTimeoutMs: 500,
      });
      await adapter.start();
    });

    afterAll(async () => {
      await adapter?.stop();
      await slack?.close();
    });

    it('answers with a section and a context block per card, before the sources, within the limits', async () => {
      const sent = slack.sendEvent({ type: 'app_mention', text: CARDS_QUESTION });
      const replies = await slack.waitFor(() => finalReplies(slack, sent.channel!, sent.ts!), { timeoutMs: 15_000 });
      const last = replies.at(-1)!;
      if (mode === 'native') expect(last.stream?.state).toBe('stopped');
      expect(replies[0]!.text).toMatch(/^Records covering 2015 or later:\n/);
      for (const r of replies.slice(0, -1)) expect(JSON.stringify(r.blocks ?? [])).not.toContain('elk-gps-collars>');

      const blocks = last.blocks!;
      // Block Kit's limits: 50 blocks, 3000 characters per section and text object (the fake enforced them on
      // the way in; checked again on what it stored).
      expect(blocks.length).toBeLessThanOrEqual(50);
      expect(validateBlocks(blocks)).toBeUndefined();
      for (const b of blocks.filter((x) => x['type'] === 'section')) expect(textOf(b).length).toBeLessThanOrEqual(3000);
      for (const b of blocks.filter((x) => x['type'] === 'section' || x['type'] === 'context')) {
        const texts = b['type'] === 'section' ? [b['text'] as Wire] : (b['elements'] as Wire[]);
        for (const t of texts) expect(t).toMatchObject({ type: 'mrkdwn', verbatim: true });
      }

      // Four cards, each a section `*<landing|[n] title>*` + summary, then a context block.
      const cardAt = blocks.flatMap((b, i) => (b['type'] === 'section' && /^\*<https:\/\/[^|>]+\|\[\d+\] /.test(textOf(b)) ? [i] : []));
      expect(cardAt).toHaveLength(4);
      for (const i of cardAt) expect(blocks[i + 1]!['type']).toBe('context');
      const sourcesAt = blocks.findIndex((b) => textOf(b).startsWith('*Sources*\n'));
      expect(sourcesAt).toBeGreaterThan(cardAt.at(-1)!);
      const sources = textOf(blocks[sourcesAt]!);

      const card = (url: string) => {
        const i = cardAt.find((j) => textOf(blocks[j]!).startsWith(`*<${url}|`))!;
        expect(i, url).toBeDefined();
        return { head: textOf(blocks[i]!), context: contextText(blocks[i + 1]!) };
      };
      const collars = card('https://data.example.org/datasets/elk-gps-collars');
      const n = /\|\[(\d+)\] /.exec(collars.head)![1];
      // The card's number is the one the source list (and the answer's markers) cite the record by.
      expect(sources).toContain(`[${n}] <https://data.example.org/datasets/elk-gps-collars|Elk GPS Collar Locations, &lt;b&gt;Blue Mountains&lt;/b&gt;>`);
      expect(collars.head).toBe(
        `*<https://data.example.org/datasets/elk-gps-collars|[${n}] Elk GPS Collar Locations, Blue Mountains>*\n`
        + 'GPS collar data recording elk movement across the Blue Mountains of northeast Oregon.',
      );
      expect(collars.context).toBe(
        'Period: 2016-01-01 to 2021-12-31 · Updated: 2022-03-01 · Publisher: Blue Mountains Wildlife Program · Formats: CSV, GeoJSON, HTML, ZIP\n'
        + 'Download: <https://data.example.org/metadata/elk-gps-collars.xml|ISO-19139 metadata> · '
        + '<https://data.example.org/download/elk-gps-collars.csv|CSV> · <https://data.example.org/download/elk-gps-collars.geojson|GeoJSON>',
      );
      expect(card('https://data.example.org/datasets/elk-winter-range').context).toBe(
        'Updated: 2019-06-01 · Publisher: Umatilla National Forest · Formats: Shapefile\n'
        + 'Download: <https://data.example.org/download/elk-winter-range.zip|Shapefile>',
      );
      expect(card('https://www.example.gov/r6/elk-calving').head).toMatch(/\|\[\d+\] Elk Calving Areas>\*\nPolygons of elk calving areas/);

      // The planted record: title, summary and publisher are text; its own https URLs are its only links.
      const planted = card(HOSTILE_LANDING);
      expect(planted.head).toMatch(new RegExp(`^\\*<${HOSTILE_LANDING.replace(/\./g, '\\.')}\\|\\[\\d+\\] \\[click\\]\u200b\\(hxxp://evil\\.example\\)>\\*\\n`));
      expect(planted.head).toContain('mirrored at hxxps://evil.example/raw each week.');
      expect(planted.context).toContain('Publisher: [pub]\u200b(hxxp://evil.example/pub)');
      expect(planted.context).toContain(`Download: <${HOSTILE_DOWNLOAD}|CSV>`);
      const links = [...JSON.stringify(blocks).matchAll(/<(https?:\/\/[^|>]+)\|/g)].map((m) => m[1]);
      for (const l of links) expect(l).not.toMatch(/evil/);
    });

    it('never sent Slack a link to evil, in any call of the run', () => {
      const bodies = slack.state.allOutgoing().map((o) => JSON.stringify(o.body));
      expect(bodies.length).toBeGreaterThan(1);
      for (const body of bodies) {
        expect(body).not.toMatch(EVIL_URL);
        expect(body).not.toMatch(EVIL_MARKDOWN_LINK);
      }
    });
  });
}
