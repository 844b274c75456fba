/**
 * Document ranking by BM25 on the FTS5 document table, with Lucene's IDF. FTS5's built-in bm25() uses
 * idf = ln((N − df + 0.5)/(df + 0.5)), floored at 1e-6: a term in more than half the documents counts for
 * nothing, and mid-frequency terms count less against rare ones than in the textbook ln(1 + (N − df + 0.5)/
 * (df + 0.5)). Measured on the tuning questions (MRR@10): PostgreSQL manual 0.405 → 0.456 and Python docs
 * 0.441 → 0.502 with Lucene's IDF, same tokens.
 *
 * The tf part of both is identical (k1 1.2, b 0.75, same lengths), so a single-term bm25() divided by FTS5's
 * IDF and multiplied by Lucene's is that term's exact textbook contribution. Below EXACT_POSTINGS postings in
 * all (every catalog we evaluate: at most 3,970 for any eval question, ~2 ms on the PostgreSQL manual) each query
 * term's postings are read that way and summed. Above it (a large catalog with common query terms) common terms
 * are read from their champion lists instead (champion-lists.ts).
 */
import type Database from 'libsql';
import { addExactTerm, rankWithChampions } from './champion-lists.js';

export { luceneIdf } from './champion-lists.js';

type Db = InstanceType<typeof Database>;

/** Postings (documents × query terms) up to which ranking is exact; see the header. */
export const EXACT_POSTINGS = 20_000;

export interface RankedDoc {
  doc: number;
  /** Textbook BM25 (higher is better). */
  score: number;
}

/**
 * The best `n` documents for the query terms (repeats count, as in Lucene), optionally only those `allowed`
 * (a filter, checked in SQL for a batch of document ids).
 */
export function rankDocuments(
  db: Db,
  queryTerms: readonly string[],
  documents: number,
  df: ReadonlyMap<string, number>,
  n: number,
  allowed?: (docs: number[]) => Set<number>,
  exactPostings = EXACT_POSTINGS,
): RankedDoc[] {
  const counts = new Map<string, number>();
  for (const t of queryTerms) if ((df.get(t) ?? 0) > 0) counts.set(t, (counts.get(t) ?? 0) + 1);
  if (counts.size === 0) return [];
  const postings = [...counts.keys()].reduce((s, t) => s + df.get(t)!, 0);
  const ranked = postings <= exactPostings ? exact(db, counts, documents, df) : rankWithChampions(db, counts, documents, df, allowed ? n * 4 : n);
  if (!allowed) return ranked.slice(0, n);
  const out: RankedDoc[] = [];
  for (let i = 0; i < ranked.length && out.length < n; i += 500) {
    const batch = ranked.slice(i, i + 500);
    const ok = allowed(batch.map((r) => r.doc));
    for (const r of batch) if (ok.has(r.doc) && out.length < n) out.push(r);
  }
  return out;
}

function exact(db: Db, counts: Map<string, number>, documents: number, df: ReadonlyMap<string, number>): RankedDoc[] {
  const acc = new Map<number, number>();
  for (const [term, count] of counts) addExactTerm(db, acc, term, count, documents, df.get(term)!);
  return [...acc].map(([doc, score]) => ({ doc, score })).sort((a, b) => b.score - a.score || a.doc - b.doc);
}
