/**
 * The embedder port. Query and document embedding are separate calls because some models prefix them
 * differently (e5: "query: " / "passage: "). Vectors are L2-normalised so cosine = dot product.
 */
export interface Embedder {
  /** Stable identity of the model and its settings, e.g. `transformers:Xenova/all-MiniLM-L6-v2`. Recorded in the index. */
  readonly id: string;
  /** Length of every vector this embedder returns. */
  readonly dimension: number;
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
  /** Release native resources (ONNX sessions, sockets). Optional. */
  close?(): Promise<void>;
}

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
