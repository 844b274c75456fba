import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loopYielder } from '../../core/loop-yield.js';
import type { Embedder } from '../../core/ports/embedder.js';

/**
 * A persistent embedding cache keyed by (embedder id, text hash), so unchanged text is never embedded twice —
 * not across reindexes, not across index versions. One append-only binary file per embedder:
 * records of [32-byte sha256][dimension × float32]. Loaded whole into memory (a few MB per thousand chunks).
 */
export class EmbeddingCache {
  private readonly vectors = new Map<string, Float32Array>();
  private readonly file: string;
  private readonly recordBytes: number;

  constructor(
    dir: string,
    readonly embedderId: string,
    readonly dimension: number,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `${embedderId.replace(/[^A-Za-z0-9._-]+/g, '_')}-${dimension}.bin`);
    this.recordBytes = 32 + dimension * 4;
    this.load();
  }

  get size(): number {
    return this.vectors.size;
  }

  get(textHash: string): number[] | undefined {
    const v = this.vectors.get(textHash);
    return v ? Array.from(v) : undefined;
  }

  has(textHash: string): boolean {
    return this.vectors.has(textHash);
  }

  /**
   * The stored vector itself, not a copy: callers must not write to it. An index run holds one per chunk, so a
   * `number[]` copy each (8 bytes a dimension plus the array) would double or triple the cache's own memory —
   * ~0.8 GB more at 1M chunks of 100 dimensions, ~3 GB at 384.
   */
  view(textHash: string): Float32Array | undefined {
    return this.vectors.get(textHash);
  }

  /** Adds vectors and appends them to disk in one write. */
  putMany(entries: Array<[textHash: string, vector: number[]]>): void {
    const fresh = entries.filter(([h]) => !this.vectors.has(h));
    if (fresh.length === 0) return;
    const buf = Buffer.alloc(fresh.length * this.recordBytes);
    fresh.forEach(([hash, vector], i) => {
      const off = i * this.recordBytes;
      Buffer.from(hash, 'hex').copy(buf, off, 0, 32);
      const f = Float32Array.from(vector);
      Buffer.from(f.buffer, f.byteOffset, f.byteLength).copy(buf, off + 32);
      this.vectors.set(hash, f);
    });
    appendFileSync(this.file, buf);
  }

  private load(): void {
    if (!existsSync(this.file)) return;
    const buf = readFileSync(this.file);
    // A torn final record (crash mid-append) is ignored rather than poisoning the cache.
    const whole = Math.floor(buf.length / this.recordBytes);
    for (let i = 0; i < whole; i++) {
      const off = i * this.recordBytes;
      const hash = buf.subarray(off, off + 32).toString('hex');
      const copy = new Float32Array(this.dimension);
      new Uint8Array(copy.buffer).set(buf.subarray(off + 32, off + this.recordBytes));
      this.vectors.set(hash, copy);
    }
  }
}

export interface CachedEmbedResult {
  /** One per item, shared with the cache (see `EmbeddingCache.view`): read-only. */
  vectors: Float32Array[];
  /** How many texts actually went to the embedder (the rest came from the cache). */
  embedded: number;
}

/**
 * Embeds `items` through the cache: only texts whose hash is unknown go to the embedder, in batches of
 * `batchSize`; each batch is persisted as soon as it returns so an interrupted run keeps its progress.
 */
export async function embedWithCache(
  embedder: Embedder,
  cache: EmbeddingCache,
  items: Array<{ text: string; textHash: string }>,
  batchSize: number,
  onProgress?: (done: number, total: number) => void,
): Promise<CachedEmbedResult> {
  const missing: Array<{ text: string; textHash: string }> = [];
  const seen = new Set<string>();
  for (const it of items) {
    if (!cache.has(it.textHash) && !seen.has(it.textHash)) {
      missing.push(it);
      seen.add(it.textHash);
    }
  }
  // A local embedder (word vectors) answers synchronously: without a turn of the loop between batches the whole
  // embedding phase is one block of the serving thread (see loop-yield.ts).
  const maybeYield = loopYielder();
  for (let i = 0; i < missing.length; i += batchSize) {
    await maybeYield();
    const batch = missing.slice(i, i + batchSize);
    const vectors = await embedder.embedDocuments(batch.map((b) => b.text));
    cache.putMany(batch.map((b, j) => [b.textHash, vectors[j]!]));
    onProgress?.(Math.min(i + batchSize, missing.length), missing.length);
  }
  return { vectors: items.map((it) => cache.view(it.textHash)!), embedded: missing.length };
}
