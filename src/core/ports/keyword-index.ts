import type { Chunk, Filter, Scored } from '../types.js';

/**
 * The keyword half of hybrid search, and the home of every chunk's text and metadata for one index version.
 * BM25 (k1 1.2, b 0.75, Lucene's IDF) over whole documents — title, keywords and text — with the keyword
 * analyzer (`keywordTerms` in src/core/text/text-tokens.ts), OR semantics, every query term kept; each document
 * is returned as its best-matching chunk. Exact below a posting budget; above it the SQLite implementation
 * ranks from champion lists (src/stores/champion-lists.ts), an approximation that keeps ~0.95 of the exact top 10. The vector store answers with ids and distances only; the retriever reads the chunks
 * for those ids from here, so passage text never makes a round trip through the vector store.
 *
 * The implementation is SQLite FTS5 on disk (src/stores/sqlite-keyword-index.ts): a search process holds no
 * more than SQLite's page cache, whatever the size of the catalog.
 */
export interface KeywordIndex {
  /** Chunks in this index version. */
  readonly size: number;
  /** Best `n` chunks for `query` by BM25 (higher score is better), any query term may match, best first. */
  query(query: string, n: number, filter?: Filter): Scored<Chunk>[];
  /**
   * For each chunk id, the share of the query's weight its text contains (0..1): each query term weighs its IDF
   * over this index's documents, so a missing rare word costs more than a missing common one. The not-found gate
   * reads it (src/core/answer/relevance.ts).
   */
  coverage(query: string, chunkIds: readonly string[]): Map<string, number>;
  /** The chunks with these ids, in the order given; ids this version does not hold are left out. */
  chunksById(ids: readonly string[]): Chunk[];
  /** Every chunk, in insertion order, in pages (for consumers that need them all: the reranker's statistics, tests). */
  allChunks(): Iterable<Chunk>;
  close(): void;
}

