/**
 * The loaders against the real shared catalog data and manuals in ../shared (CI always has them; a fresh
 * clone does not, so the suite skips with a message).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireShared } from '../../helpers/require-shared.js';
import type { DocumentRecord } from '../../../src/core/types.js';
import { listSourceItems, loadSourceItem } from '../../../src/indexing/sources.js';
import { collectingContext } from './helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = path.resolve(repoRoot, '../shared');
const hasShared = requireShared('[loaders] shared-catalog tests').present;

async function loadAll(source: string) {
  const ctx = collectingContext({ maxFileBytes: 50 * 1024 * 1024 });
  const items = await listSourceItems(source, ctx);
  const docs: DocumentRecord[] = [];
  for (const item of items) docs.push(...(await loadSourceItem(item, ctx)));
  return { items, docs, skipped: ctx.skipped };
}

describe.skipIf(!hasShared)('FGDC CSDGM records (usfs/fsgeodata)', () => {
  const folder = path.join(shared, 'catalogs/usfs/fsgeodata');
  let result: Awaited<ReturnType<typeof loadAll>>;
  beforeAll(async () => {
    result = await loadAll(folder);
  });

  it('loads every one of the 192 files, none skipped', () => {
    expect(result.skipped).toEqual([]);
    expect(result.items).toHaveLength(192);
    expect(result.docs).toHaveLength(192);
    expect(new Set(result.docs.map((d) => d.sourceId)).size).toBe(192);
    for (const d of result.docs) {
      expect(d.kind).toBe('fgdc');
      expect(d.title).not.toBe('');
      expect(d.text).not.toBe('');
      expect(d.sourceRoot).toBe(folder);
      expect(d.contentHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('reads Actv_TimberHarvest.xml fields', () => {
    const d = result.docs.find((x) => x.sourceId === 'Actv_TimberHarvest.xml');
    expect(d).toBeDefined();
    expect(d!.title).toBe('S_USA.Actv_TimberHarvest');
    expect(d!.path).toBe(path.join(folder, 'Actv_TimberHarvest.xml'));
    expect(d!.keywords).toContain('Timber Harvest');
    expect(d!.keywords).not.toContain('None');
    expect(d!.fields['bbox']).toBe('-151.133057,8.571832,-51.814142,60.926990');
    expect(d!.fields['updateFrequency']).toBe('Weekly');
    expect(d!.fields['progress']).toBe('In work');
    expect(d!.fields['timePeriod']).toBe('2016-08-22');
    expect(d!.fields['publisher']).toBe('U.S. Forest Service');
    expect(d!.fields['contacts']).toContain('SM.FS.data@usda.gov');
    // The later of metd (2025-02-04) and the citation pubdate (2026-02-06): the layer is republished weekly.
    expect(d!.modified).toBe('2026-02-06');
    expect(d!.url).toBe('http://data.fs.usda.gov/geodata/edw/datasets.php');
    expect(d!.text).toMatch(/^The TimeberHarvest feature class/);
    expect(d!.text).toContain('\n\nPurpose: This layer represents');
  });

  it('handles a record with a date range, repeated contacts and many links', () => {
    const d = result.docs.find((x) => x.sourceId === 'S_USA.Fire_FPA_FOD_6th_Fires.xml')!;
    expect(d.fields['timePeriod']).toMatch(/^1992-01-01–\d{4}-\d{2}-\d{2}$/);
    expect(d.fields['onlineLinks']!.split('\n').length).toBeGreaterThan(10);
    expect(d.text).toContain('Supplemental information: ');
    expect(d.url).toMatch(/^https?:\/\//);
  });

  it('keeps a record that has no title or abstract findable by its file name', () => {
    const d = result.docs.find((x) => x.sourceId === 'S_USA.ForestsToFaucets.xml')!;
    expect(d.title).toBe('S_USA.ForestsToFaucets');
    expect(d.text).toBe('S_USA.ForestsToFaucets');
  });
});

describe.skipIf(!hasShared)('DCAT-US feed (usfs/gdd)', () => {
  const feed = path.join(shared, 'catalogs/usfs/gdd/gdd_metadata.json');
  let result: Awaited<ReturnType<typeof loadAll>>;
  beforeAll(async () => {
    result = await loadAll(feed);
  });

  it('yields 542 documents with plain-text descriptions', () => {
    expect(result.skipped).toEqual([]);
    expect(result.docs).toHaveLength(542);
    for (const d of result.docs) {
      expect(d.kind).toBe('dcat');
      expect(d.text).not.toMatch(/<\/?[a-z][a-z0-9]*(\s[^>]*)?>/i);
      expect(d.text).not.toMatch(/&(amp|lt|gt|quot|nbsp|#\d+);/);
      expect(d.sourceRoot).toBe(feed);
      expect(d.path).toBe(feed);
    }
  });

  it('has the Timber Harvests dataset keyed by its identifier', () => {
    const d = result.docs.find((x) => x.title.startsWith('Timber Harvests'));
    expect(d).toBeDefined();
    expect(d!.sourceId).toBe('https://www.arcgis.com/home/item.html?id=2228fa1c8ce94350984871e39acfeeaf&sublayer=8');
    expect(d!.fields['identifier']).toBe(d!.sourceId);
    expect(d!.url).toBe('https://data-usfs.hub.arcgis.com/datasets/usfs::timber-harvests-feature-layer');
    expect(d!.keywords).toContain('Timber Harvest');
    expect(d!.fields['publisher']).toBe('U.S. Forest Service');
    expect(d!.fields['contact']).toBe('USFSEnterpriseContent, SM.FS.data@usda.gov');
    expect(d!.fields['distributions']).toContain('CSV: https://data-usfs.hub.arcgis.com/api/download/');
    expect(d!.modified).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(d!.text).toContain('timber harvest program of work');
  });
});

describe.skipIf(!hasShared)('PDF manuals (../shared/pdfs)', () => {
  it('gnuplot.pdf: one document per page, 1-based, titled from the PDF info', async () => {
    const { docs, skipped } = await loadAll(path.join(shared, 'pdfs/gnuplot.pdf'));
    expect(skipped).toEqual([]);
    expect(docs).toHaveLength(311);
    expect(docs.map((d) => d.page)).toEqual(Array.from({ length: 311 }, (_, i) => i + 1));
    expect(docs[0]!.title).toBe('gnuplot documentation');
    expect(docs[0]!.sourceId).toBe('gnuplot.pdf');
    expect(docs[0]!.text).toContain('An Interactive Plotting Program');
    // Physical page 21 is where Part I starts (printed page number 21 too in this manual).
    const p21 = docs.find((d) => d.page === 21)!;
    expect(p21.text).toContain('Part I');
    expect(p21.text).toContain('Copyright (C) 1986 - 1993');
  });

  it('liboctave.pdf: 57 pages, titled by file name (no Info title)', async () => {
    const { docs, skipped } = await loadAll(path.join(shared, 'pdfs/liboctave.pdf'));
    expect(skipped).toEqual([]);
    expect(docs).toHaveLength(57);
    expect(docs.map((d) => d.page)).toEqual(Array.from({ length: 57 }, (_, i) => i + 1));
    expect(docs[0]!.title).toBe('liboctave');
    expect(docs[0]!.text).toContain('Octave C++ Classes');
    // Physical page 30 carries printed page 26 of chapter 4: the page number is physical, not printed. Its
    // running head ("Chapter 4: Matrix and Vector Operations 26") is page furniture and is left out.
    const p30 = docs.find((d) => d.page === 30)!;
    expect(p30.text).not.toContain('Chapter 4: Matrix and Vector Operations');
    expect(p30.text).toContain('ComplexMatrix lssolve (const ComplexMatrix &b) const');
    expect(new Set(docs.map((d) => d.contentHash)).size).toBe(57);
  });
});
