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
