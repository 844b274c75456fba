import { describe, expect, it } from 'vitest';
import { DocentError } from '../../src/core/errors.js';
import { boundToEpochSeconds } from '../../src/core/filter.js';
import { filterToWhere, keywordFlagKey, sourceWhere } from '../../src/stores/chroma-filter.js';
import { chunkToMetadata } from '../../src/stores/chroma-store.js';
import { makeChunk } from './vector-store-contract.js';

const ts = (iso: string) => Date.parse(iso) / 1000;

describe('filterToWhere', () => {
  it('returns undefined when nothing is constrained', () => {
    expect(filterToWhere(undefined)).toBeUndefined();
    expect(filterToWhere({})).toBeUndefined();
    expect(filterToWhere({ sources: [], kinds: [], keyword: '  ' })).toBeUndefined();
  });

  it('uses a bare condition (no single-element $and) for one constraint', () => {
    expect(filterToWhere({ kinds: ['pdf'] })).toEqual({ kind: { $in: ['pdf'] } });
    expect(filterToWhere({ sources: ['b'] })).toEqual({ sourceRoot: { $in: ['b'] } });
    // A full source id: the root, or a (root, id) pair for each place the path could be split; a bare id is no pair.
    expect(filterToWhere({ sources: ['/a', 'b', '/a', 'x/y/z.pdf'] })).toEqual({
      $or: [
        { sourceRoot: { $in: ['/a', 'b', 'x/y/z.pdf'] } },
        { $and: [{ sourceRoot: { $eq: '/' } }, { sourceId: { $eq: 'a' } }] },
        { $and: [{ sourceRoot: { $eq: 'x' } }, { sourceId: { $eq: 'y/z.pdf' } }] },
        { $and: [{ sourceRoot: { $eq: 'x/' } }, { sourceId: { $eq: 'y/z.pdf' } }] },
        { $and: [{ sourceRoot: { $eq: 'x/y' } }, { sourceId: { $eq: 'z.pdf' } }] },
        { $and: [{ sourceRoot: { $eq: 'x/y/' } }, { sourceId: { $eq: 'z.pdf' } }] },
      ],
    });
    expect(filterToWhere({ keyword: ' Fire Risk ' })).toEqual({ 'kw:fire risk': { $eq: true } });
    expect(filterToWhere({ modifiedAfter: '2024-03-01' })).toEqual({ modifiedTs: { $gte: ts('2024-03-01T00:00:00Z') } });
  });

  it('ANDs several constraints', () => {
    expect(filterToWhere({ kinds: ['dcat'], keyword: 'water', modifiedAfter: '2024-01-01', modifiedBefore: '2024-01-31' })).toEqual({
      $and: [
        { kind: { $in: ['dcat'] } },
        { 'kw:water': { $eq: true } },
        { modifiedTs: { $gte: ts('2024-01-01T00:00:00Z') } },
        { modifiedTs: { $lte: ts('2024-01-31T23:59:59Z') } },
      ],
    });
  });

  it('rejects a date that is not a date with a user error', () => {
    expect(() => filterToWhere({ modifiedAfter: 'last tuesday' })).toThrow(DocentError);
    try {
      filterToWhere({ modifiedBefore: 'soon' });
    } catch (err) {
      expect((err as DocentError).category).toBe('user');
    }
  });

  it('builds the delete-by-source clause', () => {
    expect(sourceWhere('/x')).toEqual({ $or: [{ sourceRoot: { $eq: '/x' } }, { sourceId: { $eq: '/x' } }] });
  });
});

describe('boundToEpochSeconds', () => {
  it('treats date-only bounds as whole days, months and years (UTC)', () => {
    expect(boundToEpochSeconds('2024-02-29', 'end')).toBe(ts('2024-02-29T23:59:59Z'));
    expect(boundToEpochSeconds('2024-02', 'end')).toBe(ts('2024-02-29T23:59:59Z'));
    expect(boundToEpochSeconds('2024-12', 'end')).toBe(ts('2024-12-31T23:59:59Z'));
    expect(boundToEpochSeconds('2023', 'end')).toBe(ts('2023-12-31T23:59:59Z'));
    expect(boundToEpochSeconds('2023', 'start')).toBe(ts('2023-01-01T00:00:00Z'));
    expect(boundToEpochSeconds('2024-03-01T12:30:00+02:00', 'end')).toBe(ts('2024-03-01T10:30:00Z'));
  });
});

describe('chunk → Chroma metadata', () => {
  it('stores only flat filter fields and the text hash (text and display fields live in the keyword index)', () => {
    const chunk = makeChunk('m1', { keywords: ['Land Cover', 'NDVI'], page: 2, modified: '2024-01-02T03:04:05Z' });
    const md = chunkToMetadata(chunk);
    expect(md).toEqual({
      sourceId: chunk.sourceId,
      sourceRoot: chunk.sourceRoot,
      kind: chunk.kind,
      textHash: chunk.textHash,
      modifiedTs: ts('2024-01-02T03:04:05Z'),
      [keywordFlagKey('Land Cover')]: true,
      [keywordFlagKey('NDVI')]: true,
    });
  });

  it('leaves out the date of a chunk without one, so any date bound excludes it', () => {
    const md = chunkToMetadata(makeChunk('m2', { modified: null, keywords: [] }));
    expect(md).not.toHaveProperty('modifiedTs');
    expect(Object.keys(md).sort()).toEqual(['kind', 'sourceId', 'sourceRoot', 'textHash']);
  });
});
