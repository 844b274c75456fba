import { describe, expect, it } from 'vitest';
import { bestChunkPerDocument } from '../../src/stores/best-chunk.js';

describe('best chunk of a document', () => {
  const idf = (t: string) => ({ vacuum: 3, disk: 2, space: 1 })[t] ?? 0;
  it('picks, per document, the chunk whose terms match the query best, whole tokens only', () => {
    const chunks = [
      { doc: 1, ordinal: 0, terms: 'introduct maintain task' },
      { doc: 1, ordinal: 1, terms: 'disk space space reclaim vacuum' },
      { doc: 1, ordinal: 2, terms: 'vacuumdb command spacer' }, // prefixes of query terms do not count
      { doc: 2, ordinal: 0, terms: 'vacuum' },
      { doc: 2, ordinal: 1, terms: 'vacuum vacuum disk' },
    ];
    const best = bestChunkPerDocument(chunks, ['vacuum', 'disk', 'space'], idf);
    expect(best.get(1)?.ordinal).toBe(1);
    expect(best.get(2)?.ordinal).toBe(1);
  });

  it('falls back to the first chunk when no chunk holds a query term', () => {
    const best = bestChunkPerDocument([{ doc: 7, ordinal: 3, terms: 'b' }, { doc: 7, ordinal: 1, terms: 'c' }], ['a'], idf);
    expect(best.get(7)?.ordinal).toBe(1);
  });
});
