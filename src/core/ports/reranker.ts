/**
 * The reranker port: re-scores a short list of candidate passages against the question.
 * Implementations: a local cross-encoder (transformers), a TEI-compatible `/rerank` endpoint, or the
 * no-download lexical reranker.
 */
export interface Reranker {
  readonly id: string;
  /**
   * True for a weak signal (the no-download soft-match reranker) whose order is fused with the retrieval order
   * (RRF) instead of replacing it; a cross-encoder's order is trusted alone.
   */
  readonly fuseWithRetrieval?: boolean;
  /** Returns one relevance score per passage, same order as `passages`; higher is more relevant. */
  score(query: string, passages: string[]): Promise<number[]>;
  close?(): Promise<void>;
}
