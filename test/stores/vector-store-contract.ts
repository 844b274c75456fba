/**
 * The contract every VectorStoreFactory must meet. Call inside a `describe` whose `beforeAll` prepares the
 * factory; `getFactory` is read lazily, inside each test.
 */
import { expect, it } from 'vitest';
import { DocentError, EmbedderMismatchError } from '../../src/core/errors.js';
import type { Chunk, Filter } from '../../src/core/types.js';
import type { IndexStamp, VectorStore, VectorStoreFactory } from '../../src/core/ports/vector-store.js';

const DIM = 8;
const STAMP: IndexStamp = { embedderId: 'test-embedder@1', dimension: DIM };
let seq = 0;

/** A collection name no other test uses (Chroma: 3–512 chars of [a-zA-Z0-9._-]). */
export function uniqueName(prefix = 'contract'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${seq++}`;
}

/** Unit vector along axis `i`, optionally tilted towards axis `j`. */
export function axis(i: number, j?: number, tilt = 0.3): number[] {
  const v = new Array<number>(DIM).fill(0);
  v[i % DIM] = 1;
  if (j !== undefined) v[j % DIM] = tilt;
  return v;
}

export function makeChunk(id: string, over: Partial<Chunk> = {}): Chunk {
  return {
    id,
    sourceId: `records/${id}.json`,
    sourceRoot: '/data/catalog',
    kind: 'dcat',
    title: `Title of ${id}`,
    url: `https://example.org/${id}`,
    path: `/data/catalog/records/${id}.json`,
    page: null,
    modified: '2023-05-01',
    keywords: ['Hydrology'],
    text: `Text of ${id}.`,
    ordinal: 0,
    textHash: `hash-${id}`,
    ...over,
  };
}

/** Six chunks with different sources, kinds, keywords and dates, each on its own axis. */
function corpus(): { chunks: Chunk[]; vectors: number[][] } {
  const chunks = [
    makeChunk('a', { sourceRoot: '/data/catalog', sourceId: 'rec-a', keywords: ['Fire', 'Forest'], modified: '2023-01-15' }),
    makeChunk('b', { sourceRoot: '/data/catalog', sourceId: 'rec-b', keywords: ['Water'], modified: '2023-06-30T18:00:00Z' }),
    makeChunk('c', { sourceRoot: '/docs/pdfs', sourceId: 'report.pdf', kind: 'pdf', page: 3, keywords: [], modified: '2024-02-01T00:00:00Z' }),
    makeChunk('d', { sourceRoot: '/docs/pdfs', sourceId: 'report.pdf', kind: 'pdf', page: 4, ordinal: 1, keywords: [], modified: null }),
    makeChunk('e', { sourceRoot: 'https://feeds.example.org/data.json', sourceId: 'rec-e', keywords: ['fire risk', 'FIRE'] }),
    makeChunk('f', { sourceRoot: '/notes', sourceId: 'readme.md', kind: 'markdown', url: null, keywords: [], modified: '2022-12-31' }),
  ];
  return { chunks, vectors: chunks.map((_, i) => axis(i)) };
}

async function seeded(f: VectorStoreFactory): Promise<VectorStore> {
  const store = await f.open(uniqueName(), STAMP);
  const { chunks, vectors } = corpus();
  await store.upsert(chunks, vectors);
  return store;
}

/** ids matching a filter, nearest-agnostic (k large enough for all). */
async function idsFor(store: VectorStore, filter: Filter): Promise<string[]> {
  const hits = await store.query(axis(0, 1, 0.1), 50, filter);
  return hits.map((h) => h.id).sort();
}

export function vectorStoreContract(getFactory: () => VectorStoreFactory): void {
  it('returns the nearest chunks first, with cosine scores in [-1, 1]', async () => {
    const store = await seeded(getFactory());
    const hits = await store.query(axis(2, 3, 0.5), 3);
    expect(hits.map((h) => h.id).slice(0, 2)).toEqual(['c', 'd']);
    expect(hits[2]?.score).toBeCloseTo(0, 5); // a four-way tie at 0: any of them may come third
    expect(hits[0]?.score).toBeCloseTo(1 / Math.sqrt(1.25), 4);
    for (const h of hits) {
      expect(h.score).toBeGreaterThanOrEqual(-1 - 1e-6);
      expect(h.score).toBeLessThanOrEqual(1 + 1e-6);
    }
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    const exact = await store.query(axis(4), 1);
    expect(exact[0]?.id).toBe('e');
    expect(exact[0]?.score).toBeCloseTo(1, 5);
    const opposite = await store.query(axis(4).map((x) => -x), 6);
    expect(opposite.at(-1)?.score).toBeCloseTo(-1, 5);
  });

  it('handles k = 0, k larger than the collection, and an empty collection', async () => {
    const f = getFactory();
    const store = await seeded(f);
    expect(await store.query(axis(0), 0)).toEqual([]);
    expect(await store.query(axis(0), 100)).toHaveLength(6);
    const empty = await f.open(uniqueName('empty'), STAMP);
    expect(await empty.query(axis(0), 5)).toEqual([]);
    expect(await empty.count()).toBe(0);
  });

  it('stores chunks with unicode fields, nulls and keywords, and answers with ids and scores only', async () => {
    const store = await getFactory().open(uniqueName('roundtrip'), STAMP);
    const full = makeChunk('full', {
      kind: 'pdf',
      page: 12,
      ordinal: 7,
      title: 'Ünïcode “title” | with pipe',
      keywords: ['Land Cover', 'NDVI', 'été'],
      text: 'Line one.\nLine two — with unicode.',
    });
    const sparse = makeChunk('sparse', { url: null, path: null, page: null, modified: null, keywords: [], title: '' });
    await store.upsert([full, sparse], [axis(0), axis(1)]);
    expect(await store.query(axis(0), 1)).toEqual([{ id: 'full', score: expect.closeTo(1, 5) }]);
    expect((await store.query(axis(1), 1))[0]?.id).toBe('sparse');
    expect(await idsFor(store, { keyword: 'ÉTÉ' })).toEqual(['full']);
    expect(await idsFor(store, { modifiedAfter: '1900' })).toEqual(['full']); // a chunk without a date fails any date bound
  });

  it('scopes a full source id to its own source, never a same-named file in another one', async () => {
    const store = await getFactory().open(uniqueName('samename'), STAMP);
    await store.upsert([
      makeChunk('a1', { sourceRoot: '/srv/a', sourceId: 'report.pdf' }),
      makeChunk('b1', { sourceRoot: '/srv/b/', sourceId: 'report.pdf' }),
      makeChunk('b2', { sourceRoot: '/srv/b/', sourceId: 'sub/report.pdf' }),
    ], [axis(0), axis(1), axis(2)]);
    expect(await idsFor(store, { sources: ['/srv/a/report.pdf'] })).toEqual(['a1']);
    // A root written with a trailing slash names its documents without it.
    expect(await idsFor(store, { sources: ['/srv/b/report.pdf'] })).toEqual(['b1']);
    expect(await idsFor(store, { sources: ['/srv/b/sub/report.pdf'] })).toEqual(['b2']);
    expect(await idsFor(store, { sources: ['report.pdf'] })).toEqual([]);
  });

  it('replaces a chunk upserted again under the same id', async () => {
    const store = await getFactory().open(uniqueName('replace'), STAMP);
    await store.upsert([makeChunk('x'), makeChunk('y')], [axis(0), axis(1)]);
    await store.upsert([makeChunk('x', { text: 'new text', title: 'New' })], [axis(5)]);
    expect(await store.count()).toBe(2);
    const [hit] = await store.query(axis(5), 1);
    expect(hit?.id).toBe('x');
    expect(hit?.score).toBeCloseTo(1, 5);
    // Duplicates inside one call: the last one wins.
    await store.upsert([makeChunk('z', { text: 'first' }), makeChunk('z', { text: 'second' })], [axis(2), axis(3)]);
    expect(await store.count()).toBe(3);
    expect(await store.query(axis(3), 1)).toEqual([{ id: 'z', score: expect.closeTo(1, 5) }]);
  });

  it('filters by sources (root or full source id), kinds and keyword', async () => {
    const store = await seeded(getFactory());
    expect(await idsFor(store, { sources: ['/docs/pdfs'] })).toEqual(['c', 'd']);
    expect(await idsFor(store, { sources: ['/data/catalog/rec-b', '/notes/readme.md'] })).toEqual(['b', 'f']);
    expect(await idsFor(store, { sources: ['/notes', '/data/catalog/rec-a'] })).toEqual(['a', 'f']);
    expect(await idsFor(store, { sources: ['https://feeds.example.org/data.json/rec-e'] })).toEqual(['e']);
    expect(await idsFor(store, { sources: ['nope'] })).toEqual([]);
    // Whole paths only: a bare id, a suffix of a path or a prefix of a root names nothing.
    expect(await idsFor(store, { sources: ['rec-b', 'readme.md', 'report.pdf'] })).toEqual([]);
    expect(await idsFor(store, { sources: ['pdfs/report.pdf', '/docs', '/docs/pdf'] })).toEqual([]);
    expect(await idsFor(store, { kinds: ['pdf'] })).toEqual(['c', 'd']);
    expect(await idsFor(store, { kinds: ['markdown', 'pdf'] })).toEqual(['c', 'd', 'f']);
    expect(await idsFor(store, { keyword: 'fire' })).toEqual(['a', 'e']);
    expect(await idsFor(store, { keyword: '  FIRE Risk ' })).toEqual(['e']);
    expect(await idsFor(store, { keyword: 'fir' })).toEqual([]);
    expect(await idsFor(store, {})).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(await idsFor(store, { sources: [], kinds: [] })).toHaveLength(6);
  });

  it('filters by modified date range (inclusive, date-only bounds cover the whole day)', async () => {
    const store = await seeded(getFactory());
    expect(await idsFor(store, { modifiedAfter: '2023-06-30' })).toEqual(['b', 'c']);
    expect(await idsFor(store, { modifiedBefore: '2023-06-30' })).toEqual(['a', 'b', 'e', 'f']);
    expect(await idsFor(store, { modifiedAfter: '2023-01-01', modifiedBefore: '2023-12-31' })).toEqual(['a', 'b', 'e']);
    expect(await idsFor(store, { modifiedAfter: '2023-06-30T18:00:01Z' })).toEqual(['c']);
    expect(await idsFor(store, { modifiedBefore: '2022' })).toEqual(['f']);
  });

  it('combines filters with AND', async () => {
    const store = await seeded(getFactory());
    expect(await idsFor(store, { sources: ['/data/catalog'], keyword: 'water' })).toEqual(['b']);
    expect(await idsFor(store, { kinds: ['dcat'], keyword: 'fire', modifiedAfter: '2023-03-01' })).toEqual(['e']);
    expect(await idsFor(store, { sources: ['/docs/pdfs'], kinds: ['pdf'], modifiedAfter: '2024-01-01' })).toEqual(['c']);
    expect(await idsFor(store, { sources: ['/docs/pdfs'], kinds: ['dcat'] })).toEqual([]);
    const top = await store.query(axis(1), 1, { kinds: ['pdf'] });
    expect(top.map((h) => h.id)).toHaveLength(1);
  });

  it('deletes by source root or source id, and counts', async () => {
    const store = await seeded(getFactory());
    expect(await store.count()).toBe(6);
    await store.deleteBySource('/docs/pdfs');
    expect(await store.count()).toBe(4);
    await store.deleteBySource('rec-e');
    expect(await store.count()).toBe(3);
    await store.deleteBySource('not-there');
    expect(await idsFor(store, {})).toEqual(['a', 'b', 'f']);
  });

  it('deletes by ids, ignoring ids it does not hold', async () => {
    const store = await seeded(getFactory());
    await store.delete(['a', 'c', 'not-there']);
    expect(await idsFor(store, {})).toEqual(['b', 'd', 'e', 'f']);
    await store.delete([]);
    expect(await store.count()).toBe(4);
  });

  it('renames a collection with its content; the old name is gone', async () => {
    const f = getFactory();
    const from = uniqueName('from');
    const to = uniqueName('to');
    const store = await f.open(from, STAMP);
    await store.upsert([makeChunk('r1'), makeChunk('r2')], [axis(0), axis(1)]);
    await f.rename(from, to);
    const names = await f.list();
    expect(names).toContain(to);
    expect(names).not.toContain(from);
    const renamed = await f.open(to, STAMP);
    expect(await renamed.count()).toBe(2);
    expect((await renamed.query(axis(1), 1))[0]?.id).toBe('r2');
  });

  it('refuses to reopen a collection with another embedder', async () => {
    const f = getFactory();
    const name = uniqueName('stamp');
    const store = await f.open(name, STAMP);
    await store.upsert([makeChunk('s')], [axis(0)]);
    await expect(f.open(name, { embedderId: 'other-model', dimension: DIM })).rejects.toBeInstanceOf(EmbedderMismatchError);
    await expect(f.open(name, { embedderId: STAMP.embedderId, dimension: DIM * 2 })).rejects.toThrow(/8-d.*16-d/);
    const again = await f.open(name, { ...STAMP });
    expect(await again.count()).toBe(1);
  });

  it('rejects vectors of the wrong dimension before touching the index', async () => {
    const store = await getFactory().open(uniqueName('dim'), STAMP);
    await expect(store.upsert([makeChunk('w')], [[1, 2, 3]])).rejects.toBeInstanceOf(DocentError);
    await expect(store.upsert([makeChunk('w')], [])).rejects.toBeInstanceOf(DocentError);
    await expect(store.query([1, 2, 3], 1)).rejects.toBeInstanceOf(DocentError);
    expect(await store.count()).toBe(0);
  });

  it('lists and drops collections', async () => {
    const f = getFactory();
    const one = uniqueName('list');
    const two = uniqueName('list');
    await f.open(one, STAMP);
    await f.open(two, STAMP);
    expect(await f.list()).toEqual(expect.arrayContaining([one, two]));
    await f.drop(one);
    const after = await f.list();
    expect(after).toContain(two);
    expect(after).not.toContain(one);
    await f.drop(one); // dropping twice is fine
    const reopened = await f.open(one, { embedderId: 'another', dimension: 3 });
    expect(await reopened.count()).toBe(0);
  });
}
