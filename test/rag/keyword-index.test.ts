import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunk } from '../helpers/chunks.js';
import { COMMON_TERM_MIN_DOCS, KeywordIndex } from '../../src/rag/keyword-index.js';
import { terms } from '../../src/rag/text-tokens.js';

describe('terms', () => {
  it('splits record names and camelCase, stems, drops stop words', () => {
    expect(terms('S_USA.Actv_TimberHarvest')).toEqual(['s', 'usa', 'actv', 'timber', 'harvest']);
    expect(terms('What are the harvests of the forests?')).toEqual(['harvest', 'forest']);
  });
});

describe('KeywordIndex', () => {
  const chunks = [
    chunk('a', 'S_USA.Actv_TimberHarvest', 'Timber harvest activities reported in FACTS.', { keywords: ['Silviculture'] }),
    chunk('b', 'S_USA.RoadCore', 'Forest roads and closures.', { kind: 'dcat', modified: '2020-01-01' }),
    chunk('c', 'Trails', 'Hiking trails with harvest festival notes.'),
  ];

  it('ranks by BM25 with the title boosted and stemming applied', () => {
    const hits = KeywordIndex.build(chunks).query('timber harvests', 3);
    expect(hits[0]!.item.id).toBe('a');
    expect(hits.map((h) => h.item.id)).toContain('c');
  });

  it('applies filters (kind, keyword, dates)', () => {
    const idx = KeywordIndex.build(chunks);
    expect(idx.query('forest roads harvest', 5, { kinds: ['dcat'] }).map((h) => h.item.id)).toEqual(['b']);
    expect(idx.query('harvest', 5, { keyword: 'silviculture' }).map((h) => h.item.id)).toEqual(['a']);
    expect(idx.query('harvest roads', 5, { modifiedBefore: '2021-01-01' }).map((h) => h.item.id)).toEqual(['b']);
  });

  it('survives a save/load round trip', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'kw-')), 'k.json');
    KeywordIndex.build(chunks).save(file);
    const loaded = KeywordIndex.load(file);
    expect(loaded.size).toBe(3);
    expect(loaded.query('closures', 1)[0]!.item).toEqual(chunks[1]);
  });

  describe('on a large index, terms found in more than a tenth of the chunks are left out of the query', () => {
    // Every chunk mentions forests; one in four mentions maps; only a few mention lumber or sawmills.
    const many = (n: number) => Array.from({ length: n }, (_, i) =>
      chunk(`n${i}`, `Record ${i}`, `Forest stand survey ${i}.${i % 4 === 0 ? ' Map sheets included.' : ''}${i === 7 ? ' Lumber mill output.' : ''}${i === 3 ? ' Sawmill lumber grades.' : ''}`));

    it('drops the common terms, keeps the rare ones, and ranks the rare match first', () => {
      const idx = KeywordIndex.build(many(COMMON_TERM_MIN_DOCS));
      const hits = idx.query('forest map survey lumber sawmill', 50);
      // Only chunks with "lumber" or "sawmill" come back: "forest", "survey" (all) and "map" (a quarter) were not
      // scored. The chunk with both rare words ranks first.
      expect(hits[0]!.item.id).toBe('n3');
      expect(hits.map((h) => h.item.id).sort()).toEqual(['n3', 'n7']);
    });

    it('keeps the two rarest terms when every term is common, so the query still finds something', () => {
      const idx = KeywordIndex.build(many(COMMON_TERM_MIN_DOCS));
      const hits = idx.query('forest map survey', 10);
      expect(hits).toHaveLength(10);
      expect(hits.every((h) => h.item.text.includes('Map'))).toBe(true);
    });

    it('scores every term on a small index', () => {
      const idx = KeywordIndex.build(many(COMMON_TERM_MIN_DOCS - 1));
      expect(idx.query('forest map lumber', 1000).length).toBe(COMMON_TERM_MIN_DOCS - 1);
    });
  });
});
