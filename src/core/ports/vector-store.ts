import type { Chunk, Filter } from '../types.js';

/** A vector-search hit: the chunk's id and its cosine similarity. */
export interface VectorHit {
  id: string;
  score: number;
}

/** What the store records about the index it holds, so a mismatched embedder is caught before a query. */
export interface IndexStamp {
  embedderId: string;
  dimension: number;
}

/**
 * The vector store port. One store instance holds one named collection (an index version).
 * Embeddings are always computed by Docent and passed explicitly.
 */
export interface VectorStore {
  /** Inserts or replaces chunks by id. `embeddings[i]` belongs to `chunks[i]`. */
  upsert(chunks: Chunk[], embeddings: number[][]): Promise<void>;
  /**
   * Ids of the nearest chunks to `vector`, best first; `score` is cosine similarity (1 = identical). Only ids
   * and scores: the chunks' text and metadata are read from the keyword index, which holds them anyway
   * (Chroma took ~7.8 ms p50 to return 50 chunks with documents and metadata, ~2 ms for ids and distances).
   */
  query(vector: number[], k: number, filter?: Filter): Promise<VectorHit[]>;
  /** Removes every chunk whose sourceRoot or sourceId equals `source`. */
  deleteBySource(source: string): Promise<void>;
  /** Removes the chunks with these ids (ids it does not hold are ignored). */
  delete(ids: string[]): Promise<void>;
  count(): Promise<number>;
}

/**
 * Manages named collections (index versions) on one server: a reindex writes a new collection and the
 * manifest then points at it, so the serving index is never half-written.
 */
export interface VectorStoreFactory {
  open(collection: string, stamp: IndexStamp): Promise<VectorStore>;
  drop(collection: string): Promise<void>;
  /**
   * Renames a collection. A reindex renames the version it is about to rewrite in place (the one before the
   * serving one) to the new version's name first, so a run killed half-way leaves a leftover under a name no
   * manifest points at, which the next run drops.
   */
  rename(from: string, to: string): Promise<void>;
  list(): Promise<string[]>;
  close(): Promise<void>;
}
