/** Dataset cards from record passages: fields, one-line summaries, http(s) links only, plain titles. */
import { describe, expect, it } from 'vitest';
import { asksForData, buildDatasetCards, numberByCitation, summaryOf, SUMMARY_MAX } from '../../../src/core/answer/dataset-cards.js';
import type { RetrievedPassage } from '../../../src/core/answer/ports.js';
import type { DatasetCard, Passage } from '../../../src/core/answer/types.js';
import { encodeLinks } from '../../../src/core/record-fields.js';

function hit(id: string, o: Partial<RetrievedPassage> = {}): RetrievedPassage {
  return { id, sourceId: id, title: id, url: null, path: null, page: null, kind: 'dcat', text: id, signals: { vector: null, keyword: 1 }, ...o };
}

function numbered(hits: RetrievedPassage[]): Passage[] {
  return hits.map((h, i) => ({ n: i + 1, chunkId: h.id, sourceId: h.sourceId, title: h.title, url: h.url, path: h.path, page: h.page, kind: h.kind, text: h.text }));
}

describe('buildDatasetCards', () => {
  const collars = hit('collars', {
    title: 'Elk <b>GPS</b> Collars\u0007',
    url: 'https://data.example.org/elk',
    modified: '2022-03-01T10:00:00.000Z',
    text: 'Elk GPS Collars\nKeywords: elk, telemetry\n\nGPS collar data recording elk movement in Oregon. Locations every two hours.',
    fields: {
      periodStart: '2016-01-01', periodEnd: '2021-12-31', publisher: 'Wildlife Program', formats: 'CSV\nGeoJSON',
      landingPage: 'https://data.example.org/elk',
      downloads: encodeLinks([
        { format: 'CSV', url: 'https://data.example.org/elk.csv' },
        { format: 'Web', url: 'https://data.example.org/elk' }, // the landing page again
        { format: 'Evil', url: 'javascript:alert(1)' },
        { format: 'Old', url: 'ftp://ftp.example.org/elk.zip' },
        { format: 'Local', url: 'file:///etc/passwd' },
        { format: '', url: 'https://data.example.org/elk.geojson' },
      ]),
    },
  });
  const notes = hit('notes', { kind: 'markdown', text: 'Elk notes' });
  const calving = hit('calving', { kind: 'fgdc', title: 'Elk Calving', text: 'Elk Calving', url: 'javascript:void(0)', fields: { periodStart: '2014', periodEnd: 'present', downloads: encodeLinks([{ format: 'SHP', url: 'https://x.gov/c.zip' }]) } });
  const second = hit('collars-2', { sourceId: 'collars', title: 'Elk GPS Collars' });

  it('builds one card per record passage, numbered like the passages, with plain text and http(s) links only', () => {
    const hits = [notes, collars, calving, second];
    const cards = buildDatasetCards(hits, numbered(hits));
    expect(cards).toEqual([
      {
        n: 2,
        title: 'Elk GPS Collars',
        summary: 'GPS collar data recording elk movement in Oregon.',
        period: '2016-01-01 to 2021-12-31',
        updated: '2022-03-01',
        publisher: 'Wildlife Program',
        formats: ['CSV', 'GeoJSON'],
        landingUrl: 'https://data.example.org/elk',
        downloads: [
          { format: 'CSV', url: 'https://data.example.org/elk.csv' },
          { format: 'Link', url: 'https://data.example.org/elk.geojson' },
        ],
      },
      {
        n: 3,
        title: 'Elk Calving',
        summary: '',
        period: '2014 to present',
        updated: null,
        publisher: null,
        // No formats field: the downloads' formats stand in.
        formats: ['SHP'],
        landingUrl: null,
        downloads: [{ format: 'SHP', url: 'https://x.gov/c.zip' }],
      },
    ]);
  });

  it('leaves out hits that were not shown as passages and stops at the limit', () => {
    const hits = [collars, calving];
    expect(buildDatasetCards(hits, numbered([calving]))).toHaveLength(1);
    expect(buildDatasetCards(hits, numbered(hits), 1).map((c) => c.title)).toEqual(['Elk GPS Collars']);
  });
});

describe('numberByCitation', () => {
  it('gives cited records their citation number, the rest the numbers after, in that order', () => {
    const card = (n: number): DatasetCard => ({ n, title: `p${n}`, summary: '', period: null, updated: null, publisher: null, formats: [], landingUrl: null, downloads: [] });
    const cite = (n: number, passage: number) => ({ n, passage, title: `p${passage}`, sourceId: `p${passage}`, url: null, path: null, page: null });
    // The answer quoted passage 3 first, then passage 1; passages 2 and 5 are records it did not cite.
    const out = numberByCitation([card(1), card(2), card(3), card(5)], [cite(1, 3), cite(2, 1)]);
    expect(out.map((c) => [c.n, c.title])).toEqual([[1, 'p3'], [2, 'p1'], [3, 'p2'], [4, 'p5']]);
    expect(numberByCitation([card(2)], []).map((c) => c.n)).toEqual([1]);
  });
});

describe('summaryOf', () => {
  it('takes the first sentence after the record header', () => {
    expect(summaryOf('Roads\nKeywords: roads\n\nNational forest roads. Updated nightly.', 'Roads')).toBe('National forest roads.');
    expect(summaryOf('Roads', 'Roads')).toBe('');
  });

  it('cuts a long first sentence at a word, within the limit', () => {
    const long = `Layer\n\n${'word '.repeat(80)}end.`;
    const s = summaryOf(long, 'Layer');
    expect(s.length).toBeLessThanOrEqual(SUMMARY_MAX);
    expect(s).toMatch(/^word word .* word…$/);
  });
});

describe('asksForData', () => {
  it.each([
    ['is there data on elk movement in Oregon?', true],
    ['which datasets cover fire since 2015?', true],
    ['where can I download the roads layer?', true],
    ['are there any shapefiles of grazing allotments', true],
    ['how do I cite your data in a paper?', false],
    ['why is the roads layer missing trails?', false],
    ['when are the loggers visited?', false],
  ])('%s → %s', (q, want) => {
    expect(asksForData(q)).toBe(want);
  });
});
