/**
 * Which chunk shows a document that BM25 ranked whole: the chunk whose own text best matches the query, by
 * BM25 within the document's chunks (IDF from the document-level index, length normalised against the
 * candidates). Scored in JS from each chunk's stored terms: asking FTS5 for the same per document (a rowid
 * range per document) cost ~30 ms for 50 documents of the PostgreSQL manual, this ~2 ms.
 */
export interface ChunkTerms {
  doc: number;
  ordinal: number;
  /** The chunk text's index terms, space-separated (as written to FTS5). */
  terms: string;
}

const K1 = 1.2;
const B = 0.75;

/** The best chunk of each document among `chunks`, by document id. A document with no matching chunk gets its first. */
export function bestChunkPerDocument<T extends ChunkTerms>(chunks: readonly T[], queryTerms: readonly string[], idf: (term: string) => number): Map<number, T> {
  const wanted = new Set(queryTerms);
  const lengths = chunks.map((c) => (c.terms === '' ? 0 : c.terms.split(' ').length));
  const avg = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length) || 1;
  const best = new Map<number, { chunk: T; score: number }>();
  chunks.forEach((c, i) => {
    const tf = new Map<string, number>();
    for (const t of c.terms.split(' ')) if (wanted.has(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
    let score = 0;
    for (const [t, f] of tf) score += idf(t) * ((f * (K1 + 1)) / (f + K1 * (1 - B + (B * lengths[i]!) / avg)));
    const prev = best.get(c.doc);
    if (!prev || score > prev.score || (score === prev.score && c.ordinal < prev.chunk.ordinal)) best.set(c.doc, { chunk: c, score });
  });
  return new Map([...best].map(([doc, b]) => [doc, b.chunk]));
}
