/** Dates in questions → a coverage range, the words searched without them, and the sentence the answer states. */
import { describe, expect, it } from 'vitest';
import { labelOf, parseAskedDates } from '../../../src/core/answer/date-filter.js';
import { planCatalogSearch } from '../../../src/core/answer/catalog-answer.js';

const now = new Date('2026-03-01T00:00:00Z');

describe('parseAskedDates', () => {
  const dated: Array<[string, { from?: string; to?: string }, string, string]> = [
    // question, range, phrase, rest
    ['is there data on elk since 2015?', { from: '2015' }, 'since 2015', 'is there data on elk?'],
    ['which datasets cover fire since 2015?', { from: '2015' }, 'since 2015', 'which datasets cover fire?'],
    ['fire perimeters before 1950', { to: '1949' }, 'before 1950', 'fire perimeters'],
    ['roads built prior to 1990', { to: '1989' }, 'prior to 1990', 'roads built'],
    ['elk counts after 2015', { from: '2016' }, 'after 2015', 'elk counts'],
    ['harvest data from 2015', { from: '2015' }, 'from 2015', 'harvest data'],
    ['harvest data until 2012', { to: '2012' }, 'until 2012', 'harvest data'],
    ['harvest data up to 2012', { to: '2012' }, 'up to 2012', 'harvest data'],
    ['burn severity between 2010 and 2015', { from: '2010', to: '2015' }, 'between 2010 and 2015', 'burn severity'],
    ['burn severity from 2010 to 2015', { from: '2010', to: '2015' }, 'from 2010 to 2015', 'burn severity'],
    ['burn severity from 2010 through 2015', { from: '2010', to: '2015' }, 'from 2010 through 2015', 'burn severity'],
    ['burn severity 2010–2015', { from: '2010', to: '2015' }, '2010–2015', 'burn severity'],
    ['burn severity 2010-2015 in Idaho', { from: '2010', to: '2015' }, '2010-2015', 'burn severity in Idaho'],
    ['fires in 2015 and 2016', { from: '2015', to: '2016' }, 'in 2015 and 2016', 'fires'],
    ['fires in 2015', { from: '2015', to: '2015' }, 'in 2015', 'fires'],
    ['fires during 2015 in Oregon', { from: '2015', to: '2015' }, 'during 2015', 'fires in Oregon'],
    ['stream temperature data for 2021', { from: '2021', to: '2021' }, 'for 2021', 'stream temperature data'],
    ['timber sales in the 1990s', { from: '1990', to: '1999' }, 'in the 1990s', 'timber sales'],
    ['trail data 2018 or later', { from: '2018' }, '2018 or later', 'trail data'],
    ['trail data 2018 onwards', { from: '2018' }, '2018 onwards', 'trail data'],
    ['trail data 2018 to present', { from: '2018' }, '2018 to present', 'trail data'],
    ['maps from 1930 or earlier', { to: '1930' }, 'from 1930 or earlier', 'maps'],
    ['snow surveys since March 2015', { from: '2015-03' }, 'since March 2015', 'snow surveys'],
    ['snow surveys after Dec 2015', { from: '2016-01' }, 'after Dec 2015', 'snow surveys'],
    ['snow surveys before January 2000', { to: '1999-12' }, 'before January 2000', 'snow surveys'],
    ['plots since 1873', { from: '1873' }, 'since 1873', 'plots'],
  ];
  it.each(dated)('%s', (question, range, phrase, rest) => {
    expect(parseAskedDates(question, now)).toEqual({ range, phrase, rest, label: labelOf(range) });
  });

  const notDates: string[] = [
    'is there data on elk?',
    'elk 2015 data', // a bare year is a search word, not a filter
    'fires burned in 2000 acres', // a count followed by a unit
    'since 1800 acres burned',
    'in 1200 plots',
    'before 9999',
    'after 2099', // more than ten years from now
    'since 1650',
    'what is RDS-2013-0009?',
    'costs since $2015 per site',
    'layers numbered 2015.5',
    'between 2015 and 2010', // backwards
    'from 20155 on',
  ];
  it.each(notDates)('not a date: %s', (question) => {
    expect(parseAskedDates(question, now)).toBeNull();
  });

  it('keeps the question as the search when the dates were all of it', () => {
    expect(parseAskedDates('since 2015?', now)).toMatchObject({ range: { from: '2015' }, rest: 'since 2015?' });
  });

  it('states each kind of range the way a reader says it', () => {
    expect(labelOf({ from: '2015' })).toBe('Records covering 2015 or later');
    expect(labelOf({ to: '1949' })).toBe('Records covering 1949 or earlier');
    expect(labelOf({ from: '2010', to: '2015' })).toBe('Records covering 2010 to 2015');
    expect(labelOf({ from: '2015', to: '2015' })).toBe('Records covering 2015');
    expect(labelOf({ from: '2015-03' })).toBe('Records covering March 2015 or later');
  });
});

describe('planCatalogSearch', () => {
  it('turns dates into a coverage filter beside the channel scope, and searches without them', () => {
    expect(planCatalogSearch('is there data on elk since 2015?', { sources: ['/cat'] }, now)).toMatchObject({
      query: 'is there data on elk?',
      filter: { sources: ['/cat'], coverage: { from: '2015' } },
      wantsCards: true,
    });
  });

  it('asks for cards for data questions, not for other questions', () => {
    expect(planCatalogSearch('which layers show grazing allotments?', undefined, now)).toMatchObject({ wantsCards: true, filter: undefined, dates: null });
    expect(planCatalogSearch('where can I download elk data?', undefined, now).wantsCards).toBe(true);
    expect(planCatalogSearch('how do I cite your data in a paper?', undefined, now).wantsCards).toBe(false);
    expect(planCatalogSearch('how often are the loggers visited?', undefined, now)).toMatchObject({ wantsCards: false, dates: null });
  });
});
