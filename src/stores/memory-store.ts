/**
 * In-memory VectorStore: brute-force cosine over every chunk. Used by unit tests and as the reference
 * implementation that the Chroma store is checked against (same contract suite). Not persistent.
 */
import { DocentError, EmbedderMismatchError } from '../core/errors.js';
import type { Chunk, Filter, Scored } from '../core/types.js';
import { matchesFilter, withoutCoverage } from '../core/filter.js';
import type { IndexStamp, VectorHit, VectorStore, VectorStoreFactory } from '../core/ports/vector-store.js';
import { assertVectors } from './assert-vectors.js';

interface Entry {
  chunk: Chunk;
  vector: Float64Array;
  norm: number;
}

interface MemoryCollection {
  stamp: IndexStamp;
  entries: Map<string, Entry>;
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) * (v[i] as number);
  return Math.sqrt(s);
}

function cloneChunk(c: Chunk): Chunk {
  return { ...c, keywords: [...c.keywords], ...(c.fields ? { fields: { ...c.fields } } : {}) };
}

class MemoryStore implements VectorStore {
  constructor(private readonly collection: MemoryCollection) {}

  async upsert(chunks: Chunk[], embeddings: number[][]): Promise<void> {
    assertVectors(this.collection.stamp, embeddings, chunks);
    chunks.forEach((chunk, i) => {
      const vector = Float64Array.from(embeddings[i] as number[]);
      this.collection.entries.set(chunk.id, { chunk: cloneChunk(chunk), vector, norm: norm(vector) });
    });
  }

  async query(vector: number[], k: number, filter?: Filter): Promise<VectorHit[]> {
    assertVectors(this.collection.stamp, [vector]);
    if (k <= 0) return [];
    const qNorm = norm(vector);
    // Like Chroma, a vector store leaves `coverage` to the retriever (Filter.coverage), so both pass one contract.
    const storeFilter = withoutCoverage(filter);
    const scored: Scored<Chunk>[] = [];
    for (const e of this.collection.entries.values()) {
      if (!matchesFilter(e.chunk, storeFilter)) continue;
      let dot = 0;
      for (let i = 0; i < vector.length; i++) dot += (vector[i] as number) * (e.vector[i] as number);
      const denom = qNorm * e.norm;
      scored.push({ item: e.chunk, score: denom === 0 ? 0 : dot / denom });
    }
    scored.sort((a, b) => b.score - a.score || a.item.id.localeCompare(b.item.id));
    return scored.slice(0, k).map((s) => ({ id: s.item.id, score: s.score }));
  }

  async deleteBySource(source: string): Promise<void> {
    for (const [id, e] of this.collection.entries) {
      if (e.chunk.sourceRoot === source || e.chunk.sourceId === source) this.collection.entries.delete(id);
    }
  }

  async delete(ids: string[]): Promise<void> {
    for (const id of ids) this.collection.entries.delete(id);
  }

  async count(): Promise<number> {
    return this.collection.entries.size;
  }
}

/** A factory whose collections live as long as the factory object. */
export function createMemoryStoreFactory(): VectorStoreFactory {
  const collections = new Map<string, MemoryCollection>();
  return {
    async open(name: string, stamp: IndexStamp): Promise<VectorStore> {
      let c = collections.get(name);
      if (!c) {
        c = { stamp: { ...stamp }, entries: new Map() };
        collections.set(name, c);
      } else if (c.stamp.embedderId !== stamp.embedderId || c.stamp.dimension !== stamp.dimension) {
        throw new EmbedderMismatchError(
          { id: c.stamp.embedderId, dimension: c.stamp.dimension },
          { id: stamp.embedderId, dimension: stamp.dimension },
        );
      }
      return new MemoryStore(c);
    },
    async drop(name: string): Promise<void> {
      collections.delete(name);
    },
    async rename(from: string, to: string): Promise<void> {
      const c = collections.get(from);
      if (!c) throw new DocentError('collection_missing', 'internal', `no collection ${from} to rename.`);
      if (collections.has(to)) throw new DocentError('collection_exists', 'internal', `collection ${to} already exists.`);
      collections.delete(from);
      collections.set(to, c);
    },
    async list(): Promise<string[]> {
      return [...collections.keys()].sort();
    },
    async close(): Promise<void> {
      // Nothing to release; collections stay readable so a test can reopen them.
    },
  };
}
