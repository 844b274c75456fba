import Database from 'libsql';
import { describe, expect, it } from 'vitest';
import { luceneIdf, rankDocuments } from '../../src/stores/bm25-ranking.js';
import { TERM_STATISTICS_SCHEMA, writeTermStatistics } from '../../src/stores/champion-lists.js';

/** A docs_fts table like the keyword index's, with documents given as already-analysed terms. */
function db(docs: string[]) {
  const d = new Database(':memory:');
  d.exec("CREATE VIRTUAL TABLE docs_fts USING fts5(title, keywords, text, content='', tokenize='unicode61 remove_diacritics 0')");
  docs.forEach((text, i) => d.prepare('INSERT INTO docs_fts (rowid, title, keywords, text) VALUES (?, ?, ?, ?)').run(i + 1, '', '', text));
  return d;
}

function dfOf(docs: string[], terms: string[]) {
  return new Map(terms.map((t) => [t, docs.filter((d) => d.split(' ').includes(t)).length]));
}

describe('BM25 document ranking with Lucene IDF', () => {
  // "forest" is in 3 of 4 documents: FTS5's own IDF floors it to ~0; Lucene's keeps ln(1 + 1.5/3.5).
  const docs = ['forest timber harvest', 'forest road', 'forest fire fire severity', 'lidar elevation'];

  it('scores exactly the textbook formula (k1 1.2, b 0.75, idf ln(1 + (N − df + 0.5)/(df + 0.5)))', () => {
    const ranked = rankDocuments(db(docs), ['forest', 'fire'], 4, dfOf(docs, ['forest', 'fire']), 10);
    const avgdl = (3 + 2 + 4 + 2) / 4;
    const part = (tf: number, len: number) => (tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * len) / avgdl));
    const expected3 = luceneIdf(4, 3) * part(1, 4) + luceneIdf(4, 1) * part(2, 4);
    const expected2 = luceneIdf(4, 3) * part(1, 2);
    expect(ranked[0]).toEqual({ doc: 3, score: expect.closeTo(expected3, 9) });
    // A term in most documents still counts (FTS5's bm25() alone would score these three ~0 and tie them).
    expect(ranked.map((r) => r.doc)).toEqual([3, 2, 1]);
    expect(ranked[1]!.score).toBeCloseTo(expected2, 9);
    expect(ranked[1]!.score).toBeGreaterThan(ranked[2]!.score);
  });

  it('counts a repeated query term once per occurrence, and skips terms no document holds', () => {
    const d = db(docs);
    const df = dfOf(docs, ['fire', 'road', 'unknown']);
    const once = rankDocuments(d, ['fire', 'road'], 4, df, 10);
    const twice = rankDocuments(d, ['fire', 'fire', 'road', 'unknown'], 4, df, 10);
    expect(twice.find((r) => r.doc === 3)!.score).toBeCloseTo(2 * once.find((r) => r.doc === 3)!.score, 9);
    expect(rankDocuments(d, ['unknown'], 4, df, 10)).toEqual([]);
  });

  it('the champion-list path for large catalogs finds the same best documents here', () => {
    const many = Array.from({ length: 60 }, (_, i) => `forest ${i % 3 === 0 ? 'fire' : 'road'} ${i % 7 === 0 ? 'severity' : ''} plot${i}`);
    const d = db(many);
    // What the index writer adds (champion-lists.ts), with lists short enough that "forest" and "road" are cut.
    d.exec(`${TERM_STATISTICS_SCHEMA} CREATE TABLE chunks (doc INTEGER, terms TEXT);`);
    many.forEach((text, i) => d.prepare('INSERT INTO chunks (doc, terms) VALUES (?, ?)').run(i + 1, text));
    writeTermStatistics(d, { length: 8 });
    const terms = ['forest', 'fire', 'severity'];
    const df = dfOf(many, terms);
    const exact = rankDocuments(d, terms, 60, df, 10).map((r) => r.doc);
    const approx = rankDocuments(d, terms, 60, df, 10, undefined, 0).map((r) => r.doc);
    expect(approx.slice(0, 5)).toEqual(exact.slice(0, 5));
  });

  it('applies a filter to the ranked documents before cutting to n', () => {
    const ranked = rankDocuments(db(docs), ['forest'], 4, dfOf(docs, ['forest']), 1, (ids) => new Set(ids.filter((i) => i === 1)));
    expect(ranked.map((r) => r.doc)).toEqual([1]);
  });
});
