import { describe, expect, it } from 'vitest';
import { ReferenceBM25, referenceTokens } from './reference-bm25.js';

// Three documents whose terms after stop words and stemming are, by hand:
//   a: cat sat mat                (3 terms)
//   b: dog cat run                (3)
//   c: dog bark dog next door     (5)   → N = 3, avgdl = 11/3
const docs = [
  { key: 'a', text: 'The cat sat on the mat' },
  { key: 'b', text: 'Dogs and cats running' },
  { key: 'c', text: 'A dog barked at the dog next door' },
];

describe('reference BM25', () => {
  it('lower-cases, drops stop words and Porter-stems', () => {
    expect(referenceTokens('The Dogs and CATS were Running, at the door-step!')).toEqual(['dog', 'cat', 'run', 'door', 'step']);
    expect(referenceTokens('what is it that you have been doing')).toEqual([]);
    expect(referenceTokens('Vacuuming databases in PostgreSQL 15')).toEqual(['vacuum', 'databas', 'postgresql', '15']);
  });

  it('scores a document exactly as the formula worked by hand', () => {
    const bm25 = new ReferenceBM25(docs);
    // "dog": df = 2 of N = 3 → idf = ln(1 + (3 − 2 + 0.5)/(2 + 0.5)) = ln 1.6 = 0.4700036
    expect(bm25.idf('dog')).toBeCloseTo(Math.log(1.6), 10);
    // c: tf = 2, |c| = 5 → K = 1.2·(0.25 + 0.75·5/(11/3)) = 1.5272727
    //    score = 0.4700036 · 2·2.2 / (2 + 1.5272727) = 0.4700036 · 1.2474227 = 0.5862932
    // b: tf = 1, |b| = 3 → K = 1.2·(0.25 + 0.75·3/(11/3)) = 1.0363636
    //    score = 0.4700036 · 2.2 / (1 + 1.0363636) = 0.4700036 · 1.0803571 = 0.5077717
    const hits = bm25.search('dog', 10);
    expect(hits.map((h) => h.key)).toEqual(['c', 'b']);
    expect(hits[0]!.score).toBeCloseTo(0.5862932, 6);
    expect(hits[1]!.score).toBeCloseTo(0.5077717, 6);
  });

  it('finds documents through stemming, never through stop words', () => {
    const bm25 = new ReferenceBM25(docs);
    expect(bm25.search('running cats', 10).map((h) => h.key)).toEqual(['b', 'a']);
    expect(bm25.search('the and at on', 10)).toEqual([]);
  });

  it('ranks by the summed term scores, and keeps idf positive for a term in most documents', () => {
    const bm25 = new ReferenceBM25(docs);
    // "door" is only in c; "cat" is in a and b. Both terms in one query: c wins on the rare term.
    expect(bm25.search('cat door', 10).map((h) => h.key)).toEqual(['c', 'a', 'b']);
    const everywhere = new ReferenceBM25([{ key: 'x', text: 'fire' }, { key: 'y', text: 'fire fire' }, { key: 'z', text: 'fire map' }]);
    // df = N = 3 → ln(1 + 0.5/3.5) = 0.1335314 > 0 (the classic RSJ idf would be negative here).
    expect(everywhere.idf('fire')).toBeCloseTo(0.1335314, 6);
    expect(everywhere.search('fire', 2).map((h) => h.key)).toEqual(['y', 'x']);
  });
});
