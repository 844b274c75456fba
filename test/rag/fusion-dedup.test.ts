import { describe, expect, it } from 'vitest';
import { collapseNearDuplicates } from '../../src/rag/dedup.js';
import { diversifyByDocument } from '../../src/rag/diversify.js';
import { reciprocalRankFusion, scoreFusion } from '../../src/rag/fusion.js';
import { chunk } from '../helpers/chunks.js';

const a = chunk('a', 'A', 'alpha text');
const b = chunk('b', 'B', 'beta text');
const c = chunk('c', 'C', 'gamma text');

describe('fusion', () => {
  it('RRF rewards items that both lists rank well', () => {
    const fused = reciprocalRankFusion(
      [
        { hits: [{ item: a, score: 9 }, { item: b, score: 5 }], weight: 1 },
        { hits: [{ item: b, score: 0.9 }, { item: c, score: 0.8 }], weight: 1 },
      ],
      60,
    );
    expect(fused.map((h) => h.item.id)).toEqual(['b', 'a', 'c']);
  });

  it('a zero-weight list adds no hits of its own (no zero-score fill-ins repeating listed documents)', () => {
    const lists = [
      { hits: [{ item: a, score: 9 }], weight: 1 },
      { hits: [{ item: b, score: 0.9 }, { item: a, score: 0.8 }], weight: 0 },
    ];
    expect(reciprocalRankFusion(lists, 60).map((h) => h.item.id)).toEqual(['a']);
    expect(scoreFusion(lists).map((h) => h.item.id)).toEqual(['a']);
  });

  it('score fusion normalises each list before adding', () => {
    const fused = scoreFusion([
      { hits: [{ item: a, score: 100 }, { item: b, score: 50 }, { item: c, score: 0 }], weight: 1 },
      { hits: [{ item: c, score: 0.9 }, { item: b, score: 0.5 }, { item: a, score: 0.1 }], weight: 1 },
    ]);
    expect(fused[0]!.score).toBeCloseTo(1);
    expect(fused.find((h) => h.item.id === 'b')!.score).toBeCloseTo(0.5 + 0.5);
  });
});

describe('collapseNearDuplicates', () => {
  const long = 'The timber harvest feature class depicts the area planned and accomplished acres treated as part of the program of work';
  it('folds identical and near-identical chunks into the best one, keeping the rest', () => {
    const twin = chunk('a2', 'A', long, { textHash: 'same' });
    const first = chunk('a1', 'A', long, { textHash: 'same' });
    const near = chunk('a3', 'A', `${long} funded`, { textHash: 'near' });
    const other = chunk('x', 'X', 'completely different words about trails and hiking in the wilderness area today');
    const out = collapseNearDuplicates([first, twin, near, other].map((item, i) => ({ item, score: 1 - i / 10 })), 0.8);
    expect(out.map((h) => h.item.id)).toEqual(['a1', 'x']);
    expect(out[0]!.duplicates.map((d) => d.id)).toEqual(['a2', 'a3']);
  });
});

describe('diversifyByDocument', () => {
  const hit = (doc: string, score: number) => ({ doc, score });
  it('halves the score of each hit beyond the per-document cap, so close alternatives move up', () => {
    const hits = [hit('m', 1), hit('m', 0.9), hit('m', 0.8), hit('n', 0.5), hit('m', 0.7)];
    expect(diversifyByDocument(hits, (h) => h.doc, 2).map((h) => `${h.doc}${h.score}`)).toEqual(['m1', 'm0.9', 'n0.5', 'm0.8', 'm0.7']);
  });
  it('does not promote a much weaker hit over a strong one', () => {
    const hits = [hit('m', 1), hit('m', 0.9), hit('m', 0.85), hit('n', 0.2)];
    expect(diversifyByDocument(hits, (h) => h.doc, 2).map((h) => h.doc)).toEqual(['m', 'm', 'm', 'n']);
  });
  it('lowers negative scores too', () => {
    const hits = [hit('m', -1), hit('m', -1.1), hit('m', -1.2), hit('n', -1.5)];
    expect(diversifyByDocument(hits, (h) => h.doc, 2).map((h) => h.doc)).toEqual(['m', 'm', 'n', 'm']);
  });
});
