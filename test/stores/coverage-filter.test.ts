/**
 * `Filter.coverage` (dates asked about) means one thing everywhere: the keyword index's SQL and `matchesFilter`
 * agree chunk for chunk; vector stores leave it out (Chroma holds no periods) and the hybrid retriever filters
 * the vector list on the chunks it reads.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchesFilter, recordPeriod } from '../../src/core/filter.js';
import type { Chunk, Filter } from '../../src/core/types.js';
import { createHashEmbedder } from '../../src/providers/embedders/hash-embedder.js';
import { HybridRetriever } from '../../src/rag/hybrid-retriever.js';
import { filterToWhere } from '../../src/stores/chroma-filter.js';
import { createMemoryStoreFactory } from '../../src/stores/memory-store.js';
import { openKeywordIndex, writeKeywordIndex } from '../../src/stores/sqlite-keyword-index.js';
import { chunk } from '../helpers/chunks.js';

const elk = (id: string, over: Partial<Chunk>) => chunk(id, `Elk ${id}`, `Elk data ${id}.`, over);
const chunks: Chunk[] = [
  elk('collars', { kind: 'dcat', modified: '2022-03-01', fields: { periodStart: '2016-01-01', periodEnd: '2021-12-31' } }),
  // A recent update does not make an old period new: the period decides.
  elk('counts', { kind: 'dcat', modified: '2023-01-10', fields: { periodStart: '1990', periodEnd: '2005' } }),
  elk('calving', { kind: 'fgdc', modified: '2024-03-12', fields: { periodStart: '2014', periodEnd: 'present' } }),
  elk('historic', { kind: 'fgdc', modified: '2025-01-01', fields: { periodStart: '1985-06-15', periodEnd: '1985-06-15' } }),
  elk('upto', { kind: 'fgdc', modified: '2025-01-01', fields: { periodEnd: '1940' } }),
  // No period: the modified date decides; neither: left out.
  elk('range', { kind: 'dcat', modified: '2019-06-01', fields: { publisher: 'Forest' } }),
  elk('archive', { kind: 'dcat', modified: '2009-05-01' }),
  elk('undated', { kind: 'dcat', modified: null }),
  // Not records: never filtered by coverage, whatever their file dates.
  elk('report', { kind: 'pdf', modified: '2001-01-01', page: 3 }),
  elk('notes', { kind: 'markdown', modified: null }),
];

function keywordIndex() {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'coverage-')), 'k.sqlite');
  writeKeywordIndex(file, chunks);
  return openKeywordIndex(file);
}

const cases: Array<[string, Filter['coverage'], string[]]> = [
  ['since 2015', { from: '2015' }, ['collars', 'calving', 'range', 'report', 'notes']],
  ['before 1950', { to: '1949' }, ['upto', 'report', 'notes']],
  ['2000 to 2005', { from: '2000', to: '2005' }, ['counts', 'report', 'notes']],
  ['in 1985', { from: '1985', to: '1985' }, ['historic', 'report', 'notes']],
  ['1940 to 1990', { from: '1940', to: '1990' }, ['counts', 'historic', 'upto', 'report', 'notes']],
  ['in May 2009', { from: '2009-05', to: '2009-05' }, ['archive', 'report', 'notes']],
];

describe('coverage filter', () => {
  const idx = keywordIndex();

  it.each(cases)('%s: the keyword index and matchesFilter keep the same chunks', (_name, coverage, want) => {
    const filter: Filter = { coverage: coverage! };
    expect(idx.query('elk data', 50, filter).map((h) => h.item.id).sort()).toEqual([...want].sort());
    expect(chunks.filter((c) => matchesFilter(c, filter)).map((c) => c.id).sort()).toEqual([...want].sort());
  });

  it('ANDs with the other conditions', () => {
    expect(idx.query('elk data', 50, { coverage: { from: '2015' }, kinds: ['dcat'] }).map((h) => h.item.id).sort()).toEqual(['collars', 'range']);
  });

  it('reads the fields back with each chunk (what dataset cards are built from)', () => {
    const [c] = idx.chunksById(['collars']);
    expect(c!.fields).toEqual({ periodStart: '2016-01-01', periodEnd: '2021-12-31' });
    expect(idx.chunksById(['archive'])[0]!.fields).toBeUndefined();
  });

  it('opens an unknown start, a "present" end and a backwards period sensibly', () => {
    expect(recordPeriod({ periodEnd: '1940' })!.start).toBeLessThan(-1e12);
    expect(recordPeriod({ periodStart: '2014', periodEnd: 'present' })!.end).toBeGreaterThan(1e12);
    expect(recordPeriod({ periodStart: '2020', periodEnd: '2010' })).toEqual(recordPeriod({ periodStart: '2010', periodEnd: '2020' }));
    expect(recordPeriod({ periodStart: 'soon' })).toBeNull();
    expect(recordPeriod({})).toBeNull();
  });

  it('is left out of the Chroma where clause and ignored by the memory store, like Chroma', async () => {
    expect(filterToWhere({ coverage: { from: '2015' } })).toBeUndefined();
    expect(filterToWhere({ kinds: ['dcat'], coverage: { from: '2015' } })).toEqual({ kind: { $in: ['dcat'] } });
    const hash = createHashEmbedder();
    const store = await createMemoryStoreFactory().open('v', { embedderId: hash.id, dimension: hash.dimension });
    await store.upsert(chunks, await hash.embedDocuments(chunks.map((c) => c.text)));
    const q = await hash.embedQuery('elk data');
    expect((await store.query(q, 50, { coverage: { from: '2015' } })).length).toBe(chunks.length);
  });

  it('the hybrid retriever filters the vector list on the chunks it reads, so no out-of-range record gets in', async () => {
    const hash = createHashEmbedder();
    const store = await createMemoryStoreFactory().open('v', { embedderId: hash.id, dimension: hash.dimension });
    await store.upsert(chunks, await hash.embedDocuments(chunks.map((c) => c.text)));
    const settings = { candidates: 50, fusion: 'rrf' as const, rrfK: 60, vectorWeight: 1, maxPerDocument: 2, dedupThreshold: 0.99, rerankCandidates: 30 };
    const r = new HybridRetriever({ keyword: idx, store, embedder: hash, settings });
    // Vector mode alone shows the post-filter: the memory store returned every chunk.
    const vector = await r.search('elk data', { k: 20, mode: 'vector', filter: { coverage: { from: '2015' } } });
    expect(vector.hits.map((h) => h.id).sort()).toEqual(['calving', 'collars', 'notes', 'range', 'report']);
    const hybrid = await r.search('elk data', { k: 20, filter: { coverage: { from: '2015' } } });
    expect(hybrid.hits.map((h) => h.id).sort()).toEqual(['calving', 'collars', 'notes', 'range', 'report']);
    expect(hybrid.hits.find((h) => h.id === 'collars')).toMatchObject({ modified: '2022-03-01', fields: { periodStart: '2016-01-01' } });
  });
});
