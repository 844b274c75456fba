/**
 * The reranker port: re-scores a short list of candidate passages against the question.
 * Implementations: a local cross-encoder (transformers), a TEI-compatible `/rerank` endpoint, or the
 * no-download lexical reranker.
 */
export interface Reranker {
  readonly id: string;
  /** Returns one relevance score per passage, same order as `passages`; higher is more relevant. */
  score(query: string, passages: string[]): Promise<number[]>;
  close?(): Promise<void>;
}
