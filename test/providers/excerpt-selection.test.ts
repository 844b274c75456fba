/**
 * The no-LLM answer's excerpts (issue 14): sentences quoted whole (decimals, abbreviations, versions), the
 * sentence that answers chosen over the heading or the one repeating common words, no Markdown furniture quoted,
 * table rows as "Flag P — Provisional", at most five excerpts, best first.
 */
import { describe, expect, it } from 'vitest';
import type { Passage } from '../../src/core/answer/types.js';
import { selectExcerpts } from '../../src/providers/generators/excerpt-selection.js';

const opts = { maxExcerpts: 5, perPassage: 2, maxChars: 500 };
let id = 0;
function passage(title: string, text: string, kind: Passage['kind'] = 'markdown'): Passage {
  id++;
  return { n: id, chunkId: `c${id}`, sourceId: `s${id}`, title, url: null, path: null, page: null, kind, text };
}
const quote = (question: string, passages: Passage[], o = opts) => selectExcerpts(question, passages, o).map((e) => e.text);

describe('selectExcerpts', () => {
  const camp = passage(
    'Camping guide',
    'Camping guide > Fees\n\n## Fees\n\nA night costs 12.50 dollars at the lower campground. The burn of 2019 covered 3.7 thousand acres north of the lake.\n\n' +
      'Drinking water is available from May 15 to Oct. 1; the spigots are shut off after that. The booking app requires version 2.1 or later.',
  );

  it.each([
    ['how much does a night cost?', 'A night costs 12.50 dollars at the lower campground.'],
    ['how many acres did the burn cover?', 'The burn of 2019 covered 3.7 thousand acres north of the lake.'],
    ['until when is drinking water available?', 'Drinking water is available from May 15 to Oct. 1; the spigots are shut off after that.'],
    ['which version of the booking app do I need?', 'The booking app requires version 2.1 or later.'],
  ])('quotes whole sentences with decimals, dates and versions: %s', (question, sentence) => {
    expect(quote(question, [camp])[0]).toBe(sentence);
  });

  it('chooses the sentence with the distinctive words, not the heading or a sentence of common words', () => {
    const wading = passage(
      'Stream gauging',
      'Stream gauging > Wading safety\n\n## When to stop wading\n\nWading measurements are the most common way to measure streamflow. ' +
        'Wading is safe in most small streams during low flow. Stop wading if depth times velocity exceeds 1.0 square metre per second. ' +
        'Always wear a personal flotation device.',
    );
    expect(quote('when should I stop wading?', [wading])[0]).toBe('Stop wading if depth times velocity exceeds 1.0 square metre per second.');
    const psql = passage(
      'psql',
      'psql\n\nThe psql meta-command \\copy performs a frontend copy of a table. psql has many meta-commands that each take arguments. ' +
        '\\timing with no parameter toggles a display of how long each SQL statement takes, in milliseconds.',
    );
    expect(quote('how do I make psql print how long each statement took?', [psql])[0]).toContain('\\timing');
  });

  it('never quotes headings, ** emphasis or table pipes, and quotes a table row as "Flag P — Provisional"', () => {
    const flags = passage(
      'Data flags',
      'Data flags > Quality flags\n\n## Quality flags\n\nEach value carries a **quality flag** that says how far it was checked.\n\n' +
        '| Flag | Meaning |\n|---|---|\n| A | Approved for publication |\n| P | Provisional data subject to revision |\n| e | Estimated value |',
    );
    const out = quote('what does flag P mean, provisional?', [flags]);
    expect(out[0]).toBe('Flag P — Provisional data subject to revision');
    for (const text of out) {
      expect(text).not.toMatch(/\*\*|\||^#|Quality flags$/);
    }
    expect(quote('what is a quality flag?', [flags])[0]).toBe('Each value carries a quality flag that says how far it was checked.');
  });

  it('joins the next sentence when one sentence covers too little of the question', () => {
    const p = passage('Loggers', 'Loggers\n\nThe HOBO logger records water temperature every 15 minutes. In winter, it is moved below the ice line.');
    expect(quote('where does the water temperature logger go in winter below ice?', [p])[0]).toBe(
      'The HOBO logger records water temperature every 15 minutes. In winter, it is moved below the ice line.',
    );
  });

  it('gives at most five excerpts, best first, at most two per passage, no sentence twice', () => {
    const many = Array.from({ length: 6 }, (_, i) =>
      passage(`Gauge ${i}`, `Gauge ${i}\n\nStreamflow gauge ${i} reports discharge daily. Gauge ${i} also reports stage height. Streamflow discharge gauge ${i} is telemetered hourly.`),
    );
    const out = selectExcerpts('streamflow discharge gauge', many, opts);
    expect(out).toHaveLength(5);
    const perPassage = new Map<number, number>();
    for (const e of out) perPassage.set(e.n, (perPassage.get(e.n) ?? 0) + 1);
    expect(Math.max(...perPassage.values())).toBeLessThanOrEqual(2);
    expect(new Set(out.map((e) => e.text)).size).toBe(out.length);
    // Equal coverage everywhere: the better-ranked passage comes first; "stage height" covers too little to appear.
    const [a, b, c] = many.map((p) => p.n);
    expect(out.map((e) => e.n)).toEqual([a, a, b, b, c]);
    expect(out.some((e) => e.text.includes('stage height'))).toBe(false);
  });

  it('weights the follow-up words above the carried ones, so the new aspect comes first', () => {
    const p = passage('Loggers', 'Loggers\n\nIn summer the water temperature logger sits in the riffle. In winter the water temperature logger is moved to the pool below the ice.');
    const asked = selectExcerpts('water temperature logger winter', [p], { ...opts, focus: 'winter' });
    expect(asked[0]!.text).toContain('In winter');
  });
});
