/** Dataset cards in the terminal: plain text, record links as they are, untrusted strings defanged. */
import { describe, expect, it } from 'vitest';
import { formatCards } from '../../../src/adapters/console/card-text.js';
import type { DatasetCard } from '../../../src/core/answer/types.js';

const card: DatasetCard = {
  n: 2,
  title: 'Elk GPS Collars',
  summary: 'GPS collar data recording elk movement in Oregon.',
  period: '2016-01-01 to 2021-12-31',
  updated: '2022-03-01',
  publisher: 'Wildlife Program',
  formats: ['CSV', 'GeoJSON'],
  landingUrl: 'https://data.example.org/elk',
  downloads: [{ format: 'CSV', url: 'https://data.example.org/elk.csv' }],
};

describe('formatCards', () => {
  it('prints each card as an indented block under its passage number', () => {
    expect(formatCards([card, { ...card, n: 3, title: 'Elk Calving', summary: '', period: null, updated: null, publisher: null, formats: [], landingUrl: null, downloads: [] }])).toBe(
      [
        '[2] Elk GPS Collars',
        '    GPS collar data recording elk movement in Oregon.',
        '    Period: 2016-01-01 to 2021-12-31 · Updated: 2022-03-01 · Publisher: Wildlife Program',
        '    Formats: CSV, GeoJSON',
        '    Page: https://data.example.org/elk',
        '    CSV: https://data.example.org/elk.csv',
        '',
        '[3] Elk Calving',
      ].join('\n'),
    );
  });

  it('shows no Markdown links, no escape sequences and no link smuggled into a title or summary', () => {
    const out = formatCards([{
      ...card,
      title: 'Elk [click](https://evil.example) \u001b]8;;https://evil.example\u0007here',
      summary: 'See www.evil.example now',
      downloads: [{ format: 'CSV\u001b[31m', url: 'javascript:alert(1)' }, { format: 'ZIP', url: 'https://data.example.org/elk.zip' }],
    }]);
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\u0007');
    expect(out).not.toContain('https://evil');
    expect(out).toContain('hxxps://evil.example');
    expect(out).toContain('www[.]evil.example');
    expect(out).not.toContain('javascript:');
    expect(out).toContain('    ZIP: https://data.example.org/elk.zip');
  });
});
