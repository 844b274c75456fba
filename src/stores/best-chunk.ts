/**
 * Which chunk shows a document that BM25 ranked whole: the chunk whose own text best matches the query, by
 * BM25 within the document's chunks (IDF from the document-level index, length normalised against the
 * candidates). Scored in JS from each chunk's stored terms: asking FTS5 for the same per document (a rowid
 * range per document) cost ~30 ms for 50 documents of the PostgreSQL manual; splitting the term strings ~15 ms
 * for 50 Python-docs pages (0.8 MB); counting with indexOf ~2 ms.
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
  const wanted = [...new Set(queryTerms)].filter((t) => t !== '').map((t) => ({ term: t, idf: idf(t) }));
  // Lengths in characters of the term string: proportional to the term count, and no split of ~1 MB per query.
  const avg = chunks.reduce((a, c) => a + c.terms.length, 0) / Math.max(1, chunks.length) || 1;
  const best = new Map<number, { chunk: T; score: number }>();
  for (const c of chunks) {
    const norm = K1 * (1 - B + (B * c.terms.length) / avg);
    let score = 0;
    for (const w of wanted) {
      const f = countTerm(c.terms, w.term);
      if (f > 0) score += w.idf * ((f * (K1 + 1)) / (f + norm));
    }
    const prev = best.get(c.doc);
    if (!prev || score > prev.score || (score === prev.score && c.ordinal < prev.chunk.ordinal)) best.set(c.doc, { chunk: c, score });
  }
  return new Map([...best].map(([doc, b]) => [doc, b.chunk]));
}

/** Occurrences of `term` as a whole space-separated token of `terms` (no copy of the string). */
export function countTerm(terms: string, term: string): number {
  let f = 0;
  for (let i = terms.indexOf(term); i >= 0; i = terms.indexOf(term, i + term.length)) {
    const end = i + term.length;
    if ((i === 0 || terms.charCodeAt(i - 1) === 32) && (end === terms.length || terms.charCodeAt(end) === 32)) f++;
  }
  return f;
}
