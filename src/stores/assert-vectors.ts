// Its own file so the Chroma store and the in-memory store share it without one store importing the other.
import { DocentError } from '../core/errors.js';
import type { Chunk } from '../core/types.js';
import type { IndexStamp } from '../core/ports/vector-store.js';

/** Checks shared by every store: one vector per chunk, every vector of the stamped dimension. */
export function assertVectors(stamp: IndexStamp, vectors: number[][], chunks?: Chunk[]): void {
  if (chunks && chunks.length !== vectors.length) {
    throw new DocentError(
      'vector_count_mismatch',
      'internal',
      `upsert got ${chunks.length} chunks but ${vectors.length} embeddings.`,
    );
  }
  for (const v of vectors) {
    if (v.length !== stamp.dimension) {
      throw new DocentError(
        'vector_dimension_mismatch',
        'internal',
        `got a ${v.length}-d vector for an index of ${stamp.embedderId} (${stamp.dimension}-d).`,
      );
    }
  }
}
