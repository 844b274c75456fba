import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunk } from '../helpers/chunks.js';
import { terms } from '../../src/core/text/text-tokens.js';
import { KeywordIndexWriter, openKeywordIndex, writeKeywordIndex } from '../../src/stores/sqlite-keyword-index.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kw-'));

function build(chunks: Parameters<typeof writeKeywordIndex>[1]) {
  const file = path.join(tmp(), 'k.sqlite');
  writeKeywordIndex(file, chunks);
  return openKeywordIndex(file);
}

describe('terms', () => {
  it('splits record names and camelCase, stems, drops stop words', () => {
    expect(terms('S_USA.Actv_TimberHarvest')).toEqual(['s', 'usa', 'actv', 'timber', 'harvest']);
    expect(terms('What are the harvests of the forests?')).toEqual(['harvest', 'forest']);
  });
});

describe('keyword index (SQLite FTS5)', () => {
  const chunks = [
    chunk('a', 'S_USA.Actv_TimberHarvest', 'Timber harvest activities reported in FACTS.', { keywords: ['Silviculture'] }),
    chunk('b', 'S_USA.RoadCore', 'Forest roads and closures.', { kind: 'dcat', modified: '2020-01-01' }),
    chunk('c', 'Trails', 'Hiking trails with harvest festival notes.'),
  ];

  it('ranks by BM25 with the title weighted and stemming applied, and returns whole chunks', () => {
    const hits = build(chunks).query('timber harvests', 3);
    expect(hits[0]!.item).toEqual(chunks[0]);
    expect(hits.map((h) => h.item.id)).toEqual(['a', 'c']);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(hits[1]!.score).toBeGreaterThan(0);
  });

  it('applies filters (kind, keyword, dates, sources) with the same meaning as every store', () => {
    const idx = build(chunks);
    expect(idx.query('forest roads harvest', 5, { kinds: ['dcat'] }).map((h) => h.item.id)).toEqual(['b']);
    expect(idx.query('harvest', 5, { keyword: ' SILVICULTURE ' }).map((h) => h.item.id)).toEqual(['a']);
    expect(idx.query('harvest roads', 5, { modifiedBefore: '2021-01-01' }).map((h) => h.item.id)).toEqual(['b']);
    expect(idx.query('harvest roads', 5, { modifiedAfter: '2021-01-01' }).map((h) => h.item.id).sort()).toEqual(['a', 'c']);
    expect(idx.query('harvest roads', 5, { modifiedAfter: '2030' })).toEqual([]);
    // A source is its root or its full id (root/id); a bare id names nothing (it could be a same-named file elsewhere).
    expect(idx.query('harvest', 5, { sources: ['root/c'] }).map((h) => h.item.id)).toEqual(['c']);
    expect(idx.query('harvest', 5, { sources: ['c'] })).toEqual([]);
  });

  it('keeps every query term: a term in most chunks still counts (no term is dropped for being common)', () => {
    // "watershed" is in 3 of 4 chunks; the chunk with both query words must beat the one with only the rare word.
    const idx = build([
      chunk('w1', 'One', 'daily streamflow records for a small watershed'),
      chunk('w2', 'Two', 'watershed boundaries'),
      chunk('w3', 'Three', 'watershed soils'),
      chunk('s1', 'Four', 'daily streamflow at a river gauge'),
    ]);
    expect(idx.query('daily streamflow for watersheds', 4).map((h) => h.item.id).slice(0, 2)).toEqual(['w1', 's1']);
  });

  it('ranks whole documents and shows each by its best chunk', () => {
    // The manual page answers across its sections; the short note shares a few words. The page ranks first,
    // shown by the section that matches the question best.
    const manual = (ordinal: number, text: string) => chunk(`m${ordinal}`, 'Routine vacuuming', text, { sourceId: 'manual.html', ordinal });
    const idx = build([
      manual(0, 'Introduction to maintenance tasks.'),
      manual(1, 'Disk space: deleted rows leave dead tuples; the space is reclaimed for reuse, and a full rewrite returns disk space to the operating system.'),
      manual(2, 'The autovacuum daemon reclaims space automatically; tables that grow after deletes need vacuum full.'),
      chunk('note', 'Release note', 'A fix for vacuum of deleted rows.', { sourceId: 'note.html' }),
    ]);
    const hits = idx.query('give disk space back after deleting rows vacuum', 5);
    expect(hits.map((h) => h.item.sourceId)).toEqual(['manual.html', 'note.html']);
    expect(hits[0]!.item.id).toBe('m1');
    expect(idx.size).toBe(4);
  });

  it('matches exact terms only: no prefix or fuzzy expansion', () => {
    const idx = build([chunk('x', 'Areas', 'roadless areas'), chunk('y', 'Upkeep', 'road maintenance')]);
    expect(idx.query('road', 5).map((h) => h.item.id)).toEqual(['y']);
  });

  it('treats query text as words, never as FTS5 syntax', () => {
    const idx = build(chunks);
    for (const q of ['"unbalanced', 'timber OR', 'NEAR(a b)', 'title:timber', 'a* AND -b', '(((', '^timber']) {
      expect(() => idx.query(q, 3)).not.toThrow();
    }
    expect(idx.query('title:timber "harvest', 3)[0]!.item.id).toBe('a');
    expect(idx.query('the of and', 3)).toEqual([]);
  });

  it('reads chunks by id in the order asked, leaving out ids it does not hold', () => {
    const idx = build(chunks);
    expect(idx.chunksById(['c', 'missing', 'a']).map((c) => c.id)).toEqual(['c', 'a']);
    expect([...idx.allChunks()].map((c) => c.id)).toEqual(['a', 'b', 'c']);
    expect(idx.size).toBe(3);
  });

  it('writes through a tmp file: an aborted build leaves no index behind, and a missing or foreign file is a clear error', () => {
    const dir = tmp();
    const file = path.join(dir, 'k.sqlite');
    const w = new KeywordIndexWriter(file);
    w.add(chunks);
    w.abort();
    expect(readdirSync(dir)).toEqual([]);
    expect(() => openKeywordIndex(file)).toThrow(/keyword index k\.sqlite is missing.*|docent index/);
    writeFileSync(file, 'not a database');
    expect(() => openKeywordIndex(file)).toThrow(/cannot be read/);
    writeKeywordIndex(file, chunks);
    expect(existsSync(file)).toBe(true);
    expect(openKeywordIndex(file).size).toBe(3);
  });
});
