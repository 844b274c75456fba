import type { Chunk } from '../../src/core/types.js';

/** A chunk with sensible defaults for unit tests. */
export function chunk(id: string, title: string, text: string, over: Partial<Chunk> = {}): Chunk {
  return {
    id, sourceId: id, sourceRoot: 'root', kind: 'fgdc', title, url: null, path: null, page: null,
    modified: '2025-06-01', keywords: [], text, ordinal: 0, textHash: id, ...over,
  };
}
