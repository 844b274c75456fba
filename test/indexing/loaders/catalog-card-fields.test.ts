/**
 * The fields dataset cards and date filters read (src/core/record-fields.ts), from real-shaped DCAT-US and FGDC
 * records (test/fixtures/catalog-cards), and the period normalisation behind them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { calendarDate, decodeLinks, periodFromDates, periodFromRange, periodFromTemporal, periodLabel } from '../../../src/core/record-fields.js';
import type { DocumentRecord } from '../../../src/core/types.js';
import { dcatLoader } from '../../../src/indexing/loaders/dcat-loader.js';
import { fgdcLoader } from '../../../src/indexing/loaders/fgdc-loader.js';
import type { LoaderInput } from '../../../src/indexing/loaders/loader.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/catalog-cards');

function input(relPath: string): LoaderInput {
  const absPath = path.join(fixtures, relPath);
  return { absPath, relPath, sourceRoot: fixtures, bytes: readFileSync(absPath), mtime: new Date('2025-01-01T00:00:00Z') };
}

describe('DCAT-US card fields', () => {
  let docs: DocumentRecord[];
  const byId = (id: string) => docs.find((d) => d.sourceId === id)!;

  it('reads temporal, publisher, formats, downloads and the landing page', async () => {
    docs = await dcatLoader.load(input('data.json'));
    const d = byId('elk-gps-collars');
    expect(d.fields).toMatchObject({
      temporal: '2016-01-01/2021-12-31',
      periodStart: '2016-01-01',
      periodEnd: '2021-12-31',
      issued: '2022-01-15',
      publisher: 'Blue Mountains Wildlife Program',
      landingPage: 'https://data.example.org/datasets/elk-gps-collars',
      // The hub's web page is no format; the ISO metadata document is metadata, not a form of the data.
      formats: 'CSV\nGeoJSON\nHTML\nZIP',
    });
    expect(d.modified).toBe('2022-03-01T10:00:00.000Z');
    // The web page is the landing page (a field of its own); everything else is kept here, and the card drops
    // what is not http(s).
    expect(decodeLinks(d.fields['downloads'])).toEqual([
      { format: 'ISO-19139 metadata', url: 'https://data.example.org/metadata/elk-gps-collars.xml' },
      { format: 'CSV', url: 'https://data.example.org/download/elk-gps-collars.csv' },
      { format: 'GeoJSON', url: 'https://data.example.org/download/elk-gps-collars.geojson' },
      { format: 'HTML', url: 'javascript:alert(1)' },
      { format: 'ZIP', url: 'ftp://ftp.example.org/elk.zip' },
    ]);
  });

  it('reads a year interval, no temporal at all, and an untyped download named by its title', () => {
    expect(byId('elk-herd-counts').fields).toMatchObject({ periodStart: '1990', periodEnd: '2005' });
    const range = byId('elk-winter-range');
    expect(range.fields['periodStart']).toBeUndefined();
    expect(range.fields['periodEnd']).toBeUndefined();
    expect(range.modified).toBe('2019-06-01');
    expect(range.fields['formats']).toBe('Shapefile');
    expect(decodeLinks(range.fields['downloads'])).toEqual([{ format: 'Shapefile', url: 'https://data.example.org/download/elk-winter-range.zip' }]);
  });
});

describe('FGDC card fields', () => {
  it('reads a begin year to present, the citation publisher, formats and download links', async () => {
    const [d] = await fgdcLoader.load(input('fgdc/elk_calving_areas.xml'));
    expect(d!.fields).toMatchObject({
      timePeriod: '2014-01-01–present',
      periodStart: '2014',
      periodEnd: 'present',
      publisher: 'USDA Forest Service, Pacific Northwest Region',
      landingPage: 'https://www.example.gov/r6/elk-calving',
      // "Digital Data" names no format.
      formats: 'SHP',
    });
    expect(decodeLinks(d!.fields['downloads'])).toEqual([
      { format: 'SHP', url: 'https://www.example.gov/r6/elk-calving.zip' },
      { format: '', url: 'file:///etc/passwd' },
    ]);
    expect(d!.modified).toBe('2024-03-12');
  });

  it('reads a single date as a one-day period and falls back to the originator as publisher', async () => {
    const [d] = await fgdcLoader.load(input('fgdc/elk_historic_range.xml'));
    expect(d!.fields).toMatchObject({ periodStart: '1985-06-15', periodEnd: '1985-06-15', publisher: 'Oregon Game Commission', landingPage: 'https://www.example.gov/historic-elk' });
    expect(d!.fields['formats']).toBeUndefined();
    expect(d!.fields['downloads']).toBeUndefined();
  });
});

describe('period normalisation', () => {
  it.each([
    ['20150301', '2015-03-01'], ['2015-03-01', '2015-03-01'], ['2015-03-01T12:00:00Z', '2015-03-01'], ['201503', '2015-03'],
    ['2015-03', '2015-03'], ['2015', '2015'], ['Unknown', null], ['present', null], ['20151340', null], ['', null],
  ])('calendarDate(%s) = %s', (raw, want) => {
    expect(calendarDate(raw)).toBe(want);
  });

  it('reads FGDC ranges and single or multiple dates', () => {
    expect(periodFromRange('19840101', '20180101')).toEqual({ periodStart: '1984-01-01', periodEnd: '2018-01-01' });
    expect(periodFromRange('2001', 'Present')).toEqual({ periodStart: '2001', periodEnd: 'present' });
    expect(periodFromRange('Unknown', '1999')).toEqual({ periodStart: '', periodEnd: '1999' });
    expect(periodFromDates(['20200101', 'Present'])).toEqual({ periodStart: '2020-01-01', periodEnd: 'present' });
    expect(periodFromDates(['20190505', '20170101', '20180101'])).toEqual({ periodStart: '2017-01-01', periodEnd: '2019-05-05' });
    // "Present" alone says the data is current, not what it covers.
    expect(periodFromDates(['Present'])).toEqual({ periodStart: '', periodEnd: '' });
    expect(periodFromDates(['unknown'])).toEqual({ periodStart: '', periodEnd: '' });
  });

  it('reads DCAT-US intervals, durations and repeating intervals', () => {
    expect(periodFromTemporal('2000-01-15/2012-08-01')).toEqual({ periodStart: '2000-01-15', periodEnd: '2012-08-01' });
    expect(periodFromTemporal('2010-01-01T00:00:00Z/2015-12-31T23:59:59Z')).toEqual({ periodStart: '2010-01-01', periodEnd: '2015-12-31' });
    expect(periodFromTemporal('2000/2010')).toEqual({ periodStart: '2000', periodEnd: '2010' });
    expect(periodFromTemporal('2010-01-01/P5Y')).toEqual({ periodStart: '2010-01-01', periodEnd: '2015-01-01' });
    expect(periodFromTemporal('2010-03/P1Y2M')).toEqual({ periodStart: '2010-03', periodEnd: '2011-05-01' });
    expect(periodFromTemporal('R/2010-01-01/P1D')).toEqual({ periodStart: '2010-01-01', periodEnd: '' });
    expect(periodFromTemporal('2010-01-01')).toEqual({ periodStart: '', periodEnd: '' });
    expect(periodFromTemporal('2015/present')).toEqual({ periodStart: '2015', periodEnd: 'present' });
  });

  it('labels periods for a card', () => {
    expect(periodLabel({ periodStart: '2016-01-01', periodEnd: '2021-12-31' })).toBe('2016-01-01 to 2021-12-31');
    expect(periodLabel({ periodStart: '1984', periodEnd: 'present' })).toBe('1984 to present');
    expect(periodLabel({ periodStart: '2024-12-01', periodEnd: '2024-12-01' })).toBe('2024-12-01');
    expect(periodLabel({ periodStart: '2015' })).toBe('from 2015');
    expect(periodLabel({ periodEnd: '2010' })).toBe('until 2010');
    expect(periodLabel({})).toBeNull();
  });
});
