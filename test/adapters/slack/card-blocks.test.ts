/**
 * Dataset cards on Slack, unit level: a section and a context block per card, untrusted text escaped and
 * defanged, and Block Kit's limits kept (checked with the fake Slack's validator, which answers
 * `invalid_blocks` like the API): 3000 characters per section and text object, 50 blocks per message.
 */
import { describe, expect, it } from 'vitest';
import { footerBlocks, MAX_BLOCKS, sectionBlocks } from '../../../src/adapters/slack/blocks.js';
import { cardBlocks } from '../../../src/adapters/slack/card-blocks.js';
import type { Citation, DatasetCard } from '../../../src/core/answer/types.js';
import { validateBlocks } from '../../fakes/fake-slack/limits.js';

const card = (n: number, over: Partial<DatasetCard> = {}): DatasetCard => ({
  n, title: `Record ${n}`, summary: `Summary of record ${n}.`, period: '2015 to present', updated: '2024-01-02', publisher: 'Wildlife Program',
  formats: ['CSV', 'GeoJSON'], landingUrl: `https://example.org/r/${n}`,
  downloads: [{ format: 'CSV', url: `https://example.org/r/${n}.csv` }, { format: 'GeoJSON', url: `https://example.org/r/${n}.geojson` }], ...over,
});

/** As long as core allows, and as long as escaping can make it: `&` becomes `&amp;`. */
const huge = (n: number): DatasetCard => card(n, {
  title: '&'.repeat(200), summary: `${'<'.repeat(159)}…`, period: '&'.repeat(120), publisher: '>'.repeat(200),
  formats: Array.from({ length: 40 }, () => '&'.repeat(60)),
  landingUrl: `https://example.org/${'l'.repeat(2000)}`,
  downloads: Array.from({ length: 8 }, (_, i) => ({ format: '&'.repeat(60), url: `https://example.org/${'d'.repeat(400)}/${i}.csv?a=1&b=2` })),
});

const cite = (n: number): Citation => ({ n, passage: n, title: `Record ${n}`, sourceId: `s${n}`, url: `https://example.org/r/${n}`, path: null, page: null });
const text = (b: Record<string, unknown>): string => ((b['text'] as { text: string } | undefined)?.text ?? (b['elements'] as Array<{ text: string }>)[0]!.text);

describe('cardBlocks', () => {
  it('renders a section *<landing|[n] title>* with the summary, and a context line with the facts and download links', () => {
    expect(cardBlocks([card(2, { period: null })], 50)).toEqual([
      { type: 'section', text: { type: 'mrkdwn', verbatim: true, text: '*<https://example.org/r/2|[2] Record 2>*\nSummary of record 2.' } },
      { type: 'context', elements: [{
        type: 'mrkdwn', verbatim: true,
        text: 'Updated: 2024-01-02 · Publisher: Wildlife Program · Formats: CSV, GeoJSON\nDownload: <https://example.org/r/2.csv|CSV> · <https://example.org/r/2.geojson|GeoJSON>',
      }] },
    ]);
  });

  it('shows link-shaped or control text as text; only http(s) record URLs become links', () => {
    const blocks = cardBlocks([card(1, {
      title: '[click](http://evil.example) <!here>', summary: 'Mirror: https://evil.example/raw @channel', publisher: '<https://evil.example|pub>',
      downloads: [{ format: '<http://evil.example|CSV>', url: 'https://example.org/a|b>c.csv' }, { format: 'Script', url: 'javascript:alert(1)' }],
    })], 50);
    expect(text(blocks[0]!)).toBe('*<https://example.org/r/1|[1] [click]\u200b(hxxp://evil.example) &lt;!here&gt;>*\nMirror: hxxps://evil.example/raw @\u200bchannel');
    expect(text(blocks[1]!)).toContain('Publisher: &lt;hxxps://evil.example|pub&gt;');
    expect(text(blocks[1]!)).toContain('Download: <https://example.org/a%7Cb%3Ec.csv|&lt;hxxp://evil.example/CSV&gt;>');
    expect(text(blocks[1]!)).not.toContain('javascript');
    expect(JSON.stringify(blocks)).not.toMatch(/https?:\/\/evil|<!here>|<https:\/\/evil/);
    // No landing page: the title in bold, not a link.
    expect(text(cardBlocks([card(3, { landingUrl: null })], 50)[0]!)).toBe('*[3] Record 3*\nSummary of record 3.');
  });

  it('keeps every text within 3000 characters however escaping grows it, and says how many downloads did not fit', () => {
    const blocks = cardBlocks([huge(1)], 50);
    expect(validateBlocks(blocks)).toBeUndefined();
    expect(text(blocks[0]!).length).toBeLessThanOrEqual(3000);
    // A landing URL too long to leave room for the title is not linked (the title still shows).
    expect(text(blocks[0]!)).toMatch(/^\*\[1\] (?:&amp;)+/);
    // Facts and downloads too long for one text object get one each.
    const [facts, downloads] = (blocks[1]!['elements'] as Array<{ text: string }>).map((e) => e.text);
    expect(facts!.length).toBeLessThanOrEqual(3000);
    expect(facts).toMatch(/^Period: (?:&amp;)+ · Updated: 2024-01-02 · Publisher: /);
    expect(downloads!.length).toBeLessThanOrEqual(3000);
    expect(downloads).toMatch(/^Download: <https:\/\/example\.org\/d+\/0\.csv\?a=1&amp;b=2\|(?:&amp;)+> · .* · \+\d more$/);
  });

  it('never takes more blocks than it is given, and names the cards left out', () => {
    const cards = Array.from({ length: 10 }, (_, i) => card(i + 1));
    expect(cardBlocks(cards, 50)).toHaveLength(20);
    const tight = cardBlocks(cards, 7);
    expect(tight).toHaveLength(7);
    expect(text(tight.at(-1)!)).toBe('7 more matching records are not shown as cards.');
    expect(cardBlocks(cards, 0)).toEqual([]);
  });
});

describe('footerBlocks with cards', () => {
  it('puts the cards before the sources, the note and the buttons, within 50 blocks with the answer', () => {
    const cards = Array.from({ length: 10 }, (_, i) => huge(i + 1));
    const answer = sectionBlocks('An answer [1].');
    const footer = footerBlocks({ citations: cards.map((c) => cite(c.n)), cached: true, answerId: 'a1', cards }, MAX_BLOCKS - answer.length);
    const blocks = [...answer, ...footer];
    expect(blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
    expect(validateBlocks(blocks)).toBeUndefined();
    const kinds = footer.map((b) => (b['type'] === 'section' && text(b).startsWith('*Sources*') ? 'sources' : String(b['type'])));
    expect(kinds.indexOf('sources')).toBe(20);
    expect(kinds.slice(-2)).toEqual(['context', 'actions']);
    // No room at all for cards: the sources and buttons stay.
    const squeezed = footerBlocks({ citations: [cite(1)], cached: false, answerId: 'a1', cards }, 3);
    expect(squeezed.map((b) => b['type'])).toEqual(['context', 'section', 'actions']);
  });
});
