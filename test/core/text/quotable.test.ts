import { describe, expect, it } from 'vitest';
import { plain, quotableUnits } from '../../../src/core/text/quotable.js';

const units = (title: string, text: string) => quotableUnits({ title, text }).map((u) => u.text);

describe('quotableUnits', () => {
  it('drops the chunk header, keyword lines, headings and rules; keeps sentences', () => {
    const text = 'Guide > Sensors\n\nKeywords: snow, gauges\n\n## Sensors\n\n---\n\nEach site has a snow pillow. It weighs the snowpack.';
    expect(units('Guide', text)).toEqual(['Each site has a snow pillow.', 'It weighs the snowpack.']);
  });

  it('quotes short code as inline code, completing a sentence that ends with a colon; long code line by line', () => {
    const text = 'SQL Dump\n\nThe basic usage of this command is:\n\n```\npg_dump dbname > dumpfile\n```\n\nIt writes to standard output.\n\n```\n' +
      Array.from({ length: 5 }, (_, i) => `SELECT ${i};`).join('\n') + '\n```';
    expect(units('SQL Dump', text)).toEqual([
      'The basic usage of this command is: `pg_dump dbname > dumpfile`',
      'It writes to standard output.',
      ...Array.from({ length: 5 }, (_, i) => `\`SELECT ${i};\``),
    ]);
  });

  it('keeps a list item with its continuation lines, without Markdown emphasis', () => {
    const text = 'Guide\n\n- **Cross-checks:** snow depth increasing while the pillow shows no gain, or rain\n  recorded when air temperature is well below freezing.\n- Second item.';
    expect(units('Guide', text)).toEqual([
      'Cross-checks: snow depth increasing while the pillow shows no gain, or rain recorded when air temperature is well below freezing.',
      'Second item.',
    ]);
  });

  it('drops a PDF heading line instead of gluing it to the paragraph after it', () => {
    const text = 'Field manual\n\nReference check\nHold the reference thermometer next to the logger for ten minutes at installation and again at every\nspring and autumn visit.';
    expect(units('Field manual', text)).toEqual([
      'Hold the reference thermometer next to the logger for ten minutes at installation and again at every spring and autumn visit.',
    ]);
  });

  it('quotes table rows as cells joined by dashes, never the header row or the separator', () => {
    expect(units('Flags', '| Flag | Meaning |\n|---|---|\n| P | **Provisional** |\n| E | Estimated |')).toEqual(['Flag P — Provisional', 'Flag E — Estimated']);
  });

  it('turns Markdown links into their text (only citation links built by code may be links)', () => {
    expect(plain('See [the guide](http://evil.example) and ![img](x.png) **now**.')).toBe('See the guide and img now.');
  });
});
