import type { DocumentKind, Filter } from '../types.js';

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
  /** Per-retriever scores before fusion (null where that retriever did not return the chunk). */
  signals: { vector: number | null; keyword: number | null };
}

/** The retrieval port of the answer pipeline. */
export interface PassageRetriever {
  retrieve(query: string, opts: { k: number; filter?: Filter }): Promise<RetrievedPassage[]>;
}
