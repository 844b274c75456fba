import type { Degradation, DocumentKind, Filter } from '../types.js';

/** A retrieved chunk as the answer pipeline needs it (the hybrid retriever's hits fit this shape). */
export interface RetrievedPassage {
  id: string;
  sourceId: string;
  title: string;
  url: string | null;
  path: string | null;
  page: number | null;
  kind: DocumentKind;
  text: string;
  /** Last modification (ISO) and the record's display fields (src/core/record-fields.ts), for dataset cards. */
  modified?: string | null;
  fields?: Record<string, string>;
  /**
   * Per-retriever scores before fusion (null where that retriever did not return the chunk), and, when the
   * retriever knows it, the share of the question's IDF weight the passage holds (0..1).
   */
  signals: { vector: number | null; keyword: number | null; coverage?: number | null };
}

/**
 * The retrieval port of the answer pipeline: the passages, and the optional parts of retrieval (vector search,
 * reranker) that failed and were done without, so the answer can say its sources may be less complete.
 */
export interface PassageRetriever {
  search(query: string, opts: { k: number; filter?: Filter }): Promise<{ hits: RetrievedPassage[]; degraded: Degradation[] }>;
}
