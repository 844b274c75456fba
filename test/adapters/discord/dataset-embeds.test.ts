/**
 * Dataset cards on Discord, unit level: one embed per card within Discord's embed limits (checked with the fake
 * Discord's validator, which answers 400 like the API), the shrinking order when cards do not fit, the
 * Markdown fallback, and where cards go in the final messages.
 */
import { embedLength } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { cardEmbeds, cardsMarkdown, EMBED_LIMITS } from '../../../src/adapters/discord/dataset-embeds.js';
import { stripSourceList } from '../../../src/adapters/discord/source-list.js';
import { finalMessages } from '../../../src/adapters/discord/stream-answer.js';
import type { Citation, DatasetCard } from '../../../src/core/answer/types.js';
import { validateMessageBody } from '../../fakes/fake-discord/platform.js';

const card = (n: number, over: Partial<DatasetCard> = {}): DatasetCard => ({
  n, title: `Record ${n}`, summary: `Summary of record ${n}.`, period: '2015 to present', updated: '2024-01-02', publisher: 'Wildlife Program',
  formats: ['CSV', 'GeoJSON'], landingUrl: `https://example.org/r/${n}`,
  downloads: [{ format: 'CSV', url: `https://example.org/r/${n}.csv` }, { format: 'GeoJSON', url: `https://example.org/r/${n}.geojson` }], ...over,
});

/** As long as core allows: title 200, summary 160, period 120, publisher 200, formats of 60, 8 downloads. */
const huge = (n: number): DatasetCard => card(n, {
  title: `*_~\`|[${'T'.repeat(190)}`, summary: `${'s'.repeat(159)}…`, period: 'p'.repeat(120), publisher: 'q'.repeat(200),
  formats: Array.from({ length: 20 }, (_, i) => `F${i}${'f'.repeat(57)}`),
  downloads: Array.from({ length: 8 }, (_, i) => ({ format: `F${i}${'f'.repeat(57)}`, url: `https://example.org/${'d'.repeat(300)}/${n}/${i}.csv` })),
});

const cite = (n: number): Citation => ({ n, passage: n, title: `Record ${n}`, sourceId: `s${n}`, url: `https://example.org/r/${n}`, path: null, page: null });
const info = (cards: DatasetCard[]) => ({ cached: false, citations: cards.map((c) => cite(c.n)), cards });

describe('cardEmbeds', () => {
  it('renders "[n] title" linked to the landing page, the summary, the facts as fields and the downloads as lines', () => {
    const { embeds, omitted } = cardEmbeds([card(2, { period: null })]);
    expect(omitted).toBe(0);
    expect(embeds).toEqual([{
      title: '[2] Record 2',
      url: 'https://example.org/r/2',
      description: 'Summary of record 2.',
      fields: [
        { name: 'Updated', value: '2024-01-02', inline: true },
        { name: 'Publisher', value: 'Wildlife Program', inline: true },
        { name: 'Formats', value: 'CSV, GeoJSON', inline: true },
        { name: 'Downloads', value: 'CSV: <https://example.org/r/2.csv>\nGeoJSON: <https://example.org/r/2.geojson>', inline: false },
      ],
    }]);
  });

  it('shows a link-shaped title, summary or publisher as text; only http(s) record URLs become links', () => {
    const [e] = cardEmbeds([card(1, {
      title: '[click](http://evil.example)', summary: 'See <https://evil.example/x> or www.evil.example', publisher: '@everyone <@123>',
      landingUrl: 'javascript:alert(1)', downloads: [{ format: '[CSV](http://evil.example)', url: 'https://example.org/a b(1).csv' }],
    })]).embeds;
    expect(e!.title).toBe('[1] \\[click\\]\u200b(hxxp://evil.example)');
    expect(e!.url).toBeUndefined();
    expect(e!.description).toBe('See \\<hxxps://evil.example/x> or www[.]evil.example');
    expect(e!.fields!.find((f) => f.name === 'Publisher')!.value).toBe('everyone');
    // The download's own URL is the link; its label is escaped; `(`, `)` and spaces cannot end `<…>` early.
    expect(e!.fields!.find((f) => f.name === 'Downloads')!.value).toBe('\\[CSV\\]\u200b(hxxp://evil.example): <https://example.org/a%20b%281%29.csv>');
    expect(JSON.stringify(e)).not.toMatch(/https?:\/\/evil/);
  });

  it('fits ten cards as long as core makes them in one message: 6000 characters in all, every field within its limit', () => {
    const cards = Array.from({ length: 12 }, (_, i) => huge(i + 1));
    const { embeds, omitted } = cardEmbeds(cards);
    expect(embeds.length + omitted).toBe(12);
    expect(embeds.length).toBeLessThanOrEqual(EMBED_LIMITS.perMessage);
    expect(embeds.reduce((s, e) => s + embedLength(e), 0)).toBeLessThanOrEqual(EMBED_LIMITS.total);
    expect(validateMessageBody({ content: 'x', embeds }, { create: true })).toBeUndefined();
    for (const e of embeds) {
      expect(e.title!.length).toBeLessThanOrEqual(EMBED_LIMITS.title);
      for (const f of e.fields ?? []) expect(f.value.length).toBeLessThanOrEqual(EMBED_LIMITS.fieldValue);
    }
    // Downloads went first, then summaries; cards are dropped from the end only when that was not enough.
    expect(embeds.every((e) => !e.fields?.some((f) => f.name === 'Downloads'))).toBe(true);
    expect(embeds.map((e) => e.title!.slice(0, 4))).toEqual(cards.slice(0, embeds.length).map((c) => `[${c.n}] `.slice(0, 4)));
  });

  it('keeps what fits: one card with eight long downloads keeps as many lines as a field holds, and says how many more', () => {
    const { embeds } = cardEmbeds([huge(1)]);
    const downloads = embeds[0]!.fields!.find((f) => f.name === 'Downloads')!.value;
    expect(downloads.length).toBeLessThanOrEqual(EMBED_LIMITS.fieldValue);
    expect(downloads).toMatch(/\n\+\d more on the record page$/);
    expect(validateMessageBody({ embeds }, { create: true })).toBeUndefined();
  });

  it('a rendering the fake refuses is one the API refuses: over 6000 in all, a field over 1024', () => {
    const [e] = cardEmbeds([card(1)]).embeds;
    expect(validateMessageBody({ embeds: [{ ...e, description: 'x'.repeat(4096) }, { ...e, description: 'x'.repeat(2000) }] }, { create: true })?.status).toBe(400);
    expect(validateMessageBody({ embeds: [{ ...e, fields: [{ name: 'Downloads', value: 'x'.repeat(1025) }] }] }, { create: true })?.status).toBe(400);
  });
});

describe('finalMessages with cards', () => {
  it('puts the embeds on the last message (the text split at 2000), with the buttons, and clears no other', () => {
    const long = `${'A sentence of the answer [1]. '.repeat(100)}`;
    const messages = finalMessages(long, info([card(1), card(2)]), 'a1');
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(m.content.length).toBeLessThanOrEqual(2000);
    for (const m of messages.slice(0, -1)) expect(m.embeds).toBeUndefined();
    expect(messages.at(-1)!.embeds!.map((e) => e.title)).toEqual(['[1] Record 1', '[2] Record 2']);
    expect(JSON.stringify(messages.at(-1)!.components)).toContain('docent:fb:up:a1');
    expect(messages.map((m) => m.content).join('')).not.toContain('**Datasets**');
  });

  it('names the cards that did not fit in a note', () => {
    const messages = finalMessages('Records:', info(Array.from({ length: 12 }, (_, i) => card(i + 1))), 'a1');
    expect(messages.at(-1)!.embeds).toHaveLength(10);
    expect(messages.at(-1)!.content).toContain('-# 2 more matching records are not shown as cards.');
  });

  it('without embeds: the cards as Markdown after the sources, split like any text, cut off again for history', () => {
    const cards = Array.from({ length: 10 }, (_, i) => huge(i + 1));
    const messages = finalMessages('Records covering 2015 or later:\n\nAn answer [1].', info(cards), 'a1', { embeds: false });
    for (const m of messages) {
      expect(m.embeds).toBeUndefined();
      expect(m.content.length).toBeLessThanOrEqual(2000);
    }
    const all = messages.map((m) => m.content).join('\n');
    expect(all.indexOf('**Sources**')).toBeLessThan(all.indexOf('**Datasets**'));
    expect(stripSourceList(messages[0]!.content)).toBe('Records covering 2015 or later:\n\nAn answer [1].');
    expect(stripSourceList(`An answer.\n\n${cardsMarkdown([card(1)])}`)).toBe('An answer.');
  });

  it('renders the Markdown fallback like the embeds: title link, summary, facts, download lines', () => {
    expect(cardsMarkdown([card(3, { publisher: null, title: '[click](http://evil.example)' })])).toBe([
      '**Datasets**',
      '[3] [\\[click\\]\u200b(hxxp://evil.example)](<https://example.org/r/3>)',
      'Summary of record 3.',
      'Period: 2015 to present · Updated: 2024-01-02 · Formats: CSV, GeoJSON',
      'CSV: <https://example.org/r/3.csv>',
      'GeoJSON: <https://example.org/r/3.geojson>',
    ].join('\n'));
  });
});
