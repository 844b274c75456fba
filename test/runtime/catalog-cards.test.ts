/**
 * Catalog-native answers end to end (issue 14, part 4): a small DCAT-US feed, two FGDC records and a Markdown
 * note (test/fixtures/catalog-cards) indexed by the real runtime (its own Chroma server, the no-download
 * embedder, extractive answers). "Is there data on elk since 2015?" must come back with dataset cards carrying
 * period, formats and links, filtered by the date, and say so; the answer cache and `docent ask --json` keep them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerPart, FinishInfo, Passage } from '../../src/core/answer/types.js';
import { loadConfig } from '../../src/config/load-config.js';
import { openRuntime, type OpenedRuntime } from '../../src/runtime/docent-runtime.js';
import { drain } from '../helpers/answers.js';

const repo = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(repo, 'test/fixtures/catalog-cards');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-cards-'));
const dataDir = path.join(work, 'data');
let rt: OpenedRuntime | undefined;

beforeAll(async () => {
  const config = loadConfig({ env: { EMBEDDER: 'word-vectors' }, overrides: { dataDir, sources: [fixtures] } });
  rt = await openRuntime(config, pino({ level: 'silent' }), { indexIfEmpty: true });
}, 120_000);
afterAll(async () => {
  await rt?.close();
  rmSync(work, { recursive: true, force: true });
});

function outcome(parts: AnswerPart[]): { text: string; passages: Passage[]; finish: FinishInfo } {
  const text = parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('');
  const sources = parts.find((p) => p.type === 'sources');
  const finish = parts.find((p) => p.type === 'finish');
  if (sources?.type !== 'sources' || finish?.type !== 'finish') throw new Error(`unexpected parts: ${JSON.stringify(parts)}`);
  return { text, passages: sources.passages, finish: finish.info };
}

describe('catalog-native answers', () => {
  it('answers "is there data on elk since 2015?" with cards filtered by the date, and states the filter', async () => {
    const { text, passages, finish } = outcome(await drain(rt!.pipeline.answer({ text: 'is there data on elk since 2015?', history: [] })));
    expect(text.startsWith('Records covering 2015 or later:\n\n')).toBe(true);
    expect(finish.notFound).toBe(false);
    expect(finish.dateFilter).toEqual({ from: '2015', to: null, label: 'Records covering 2015 or later' });

    const cards = finish.cards!;
    // In: a 2016–2021 period, a 2014-to-present period, and a record with no period updated in 2019.
    // Out: a 1990–2005 period (updated 2023: the period decides), a 1985 survey, an undated-period record last
    // updated in 2009, and the trail counters (not about elk).
    expect(cards.map((c) => c.title).sort()).toEqual(['Elk Calving Areas', 'Elk GPS Collar Locations, Blue Mountains', 'Elk Winter Range']);
    // The Markdown note is not a record: the date filter does not hide it.
    expect(passages.map((p) => p.title)).toContain('Field notes on elk data');

    const collars = cards.find((c) => c.title.startsWith('Elk GPS'))!;
    expect(collars).toMatchObject({
      period: '2016-01-01 to 2021-12-31',
      updated: '2022-03-01',
      publisher: 'Blue Mountains Wildlife Program',
      formats: ['CSV', 'GeoJSON', 'HTML', 'ZIP'],
      landingUrl: 'https://data.example.org/datasets/elk-gps-collars',
      summary: 'GPS collar data recording elk movement across the Blue Mountains of northeast Oregon.',
    });
    // javascript: and ftp: links are dropped; the landing page is not repeated as a download.
    expect(collars.downloads).toEqual([
      { format: 'ISO-19139 metadata', url: 'https://data.example.org/metadata/elk-gps-collars.xml' },
      { format: 'CSV', url: 'https://data.example.org/download/elk-gps-collars.csv' },
      { format: 'GeoJSON', url: 'https://data.example.org/download/elk-gps-collars.geojson' },
    ]);
    expect(cards.find((c) => c.title === 'Elk Calving Areas')).toMatchObject({
      period: '2014 to present', formats: ['SHP'], publisher: 'USDA Forest Service, Pacific Northwest Region',
      landingUrl: 'https://www.example.gov/r6/elk-calving', downloads: [{ format: 'SHP', url: 'https://www.example.gov/r6/elk-calving.zip' }],
    });
    expect(cards.find((c) => c.title === 'Elk Winter Range')).toMatchObject({ period: null, updated: '2019-06-01', formats: ['Shapefile'] });
    // Each card carries the number the answer cites it by ([n] in the text and the source list), cited records
    // first; one the answer did not cite is numbered after the citations. Card titles are plain text (the feed's
    // title carries a <b> tag, which the passage keeps as untrusted text for the adapters to escape).
    const plainTitle = (t: string) => t.replace(/<[^>]*>/g, '');
    const lastCited = Math.max(0, ...finish.citations.map((c) => c.n));
    expect(cards.map((c) => c.n)).toEqual([...cards.map((c) => c.n)].sort((a, b) => a - b));
    for (const c of cards) {
      const citation = finish.citations.find((x) => x.n === c.n);
      if (citation) expect(plainTitle(citation.title)).toBe(c.title);
      else expect(c.n).toBeGreaterThan(lastCited);
    }
    expect(cards.some((c) => finish.citations.some((x) => x.n === c.n))).toBe(true);
    for (const url of cards.flatMap((c) => [c.landingUrl, ...c.downloads.map((d) => d.url)]).filter(Boolean)) expect(url).toMatch(/^https?:\/\//);
  });

  it('keeps the cards and the stated filter in a cached answer', async () => {
    const first = outcome(await drain(rt!.pipeline.answer({ text: 'Is there data on elk since 2015', history: [] })));
    expect(first.finish.cached).toBe(true);
    expect(first.text.startsWith('Records covering 2015 or later:')).toBe(true);
    expect(first.finish.cards!.map((c) => c.title).sort()).toEqual(['Elk Calving Areas', 'Elk GPS Collar Locations, Blue Mountains', 'Elk Winter Range']);
    expect(first.finish.dateFilter?.label).toBe('Records covering 2015 or later');
  });

  it('before 1950: no record qualifies, so no cards, and the answer still says what it filtered by', async () => {
    const { text, finish } = outcome(await drain(rt!.pipeline.answer({ text: 'is there elk data before 1950?', history: [] })));
    expect(text.startsWith('Records covering 1949 or earlier:')).toBe(true);
    expect(finish.cards).toEqual([]);
  });

  it('a question that does not ask for data gets no cards', async () => {
    const { finish } = outcome(await drain(rt!.pipeline.answer({ text: 'when should I ask the wildlife desk about calving areas?', history: [] })));
    expect(finish.cards).toBeUndefined();
    expect(finish.dateFilter).toBeUndefined();
  });

  it('`docent ask --json` prints the cards and the date filter', async () => {
    await rt!.close();
    rt = undefined;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), 'ask', 'is there data on elk since 2015?', '--json', '--data-dir', dataDir], {
      cwd: repo, env: { ...process.env, LOG_LEVEL: 'warn', LOG_PRETTY: 'never', EMBEDDER: 'word-vectors' }, timeout: 120_000, maxBuffer: 16 * 2 ** 20,
    });
    const out = JSON.parse(stdout) as { answer: string; cards: Array<{ title: string; period: string | null; formats: string[]; downloads: unknown[] }>; dateFilter: unknown };
    expect(out.answer.startsWith('Records covering 2015 or later:')).toBe(true);
    expect(out.dateFilter).toEqual({ from: '2015', to: null, label: 'Records covering 2015 or later' });
    expect(out.cards.map((c) => c.title).sort()).toEqual(['Elk Calving Areas', 'Elk GPS Collar Locations, Blue Mountains', 'Elk Winter Range']);
    expect(out.cards.find((c) => c.title === 'Elk Calving Areas')).toMatchObject({ period: '2014 to present', formats: ['SHP'] });
  }, 150_000);
});
