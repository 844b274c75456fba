// Helpers the embedder implementations share; the Embedder port itself lives in src/core/ports/embedder.ts.

/** Scales a vector to unit length in place and returns it (a zero vector stays zero). */
export function normalize(v: number[]): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return v;
}

/**
 * Embeds `texts` in batches of `batchSize` through `embedBatch`, in order. Remote embedders cap how many inputs
 * one request may carry; this keeps that loop in one place.
 */
export async function embedInBatches(texts: string[], batchSize: number, embedBatch: (batch: string[]) => Promise<number[][]>): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += batchSize) out.push(...(await embedBatch(texts.slice(i, i + batchSize))));
  return out;
}
