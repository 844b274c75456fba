/**
 * BM25 top-k on a large catalog without reading every posting: champion lists ("Introduction to Information
 * Retrieval", Manning et al., §7.1.3). Why: ranking with FTS5's own `bm25() ORDER BY … LIMIT` calls the
 * ranking function for every document any query term matches. Measured on the scale bench's synthetic catalog
 * (106 questions): 89 ms per query at 200,000 records (216,000 matching postings), ~550 ms p50 / 850 ms p95 at
 * 1,000,000, of which merely walking the postings in C was ~10 %.
 *
 * When an index is written, every term gets a list of its best `length` documents by BM25's term-frequency
 * part (the "impact": tf·(k1+1)/(tf + k1·(1−b+b·dl/avgdl)), the same for every query; the IDF is applied at
 * query time with Lucene's formula), packed in one row. A term in at most `length` documents has its whole
 * list: exact. A common term's list is cut. A query reads one row per term and adds the impacts up;
 * the best few hundred documents are then completed: a common term whose list lacks the document is counted in
 * the document's own chunks (their stored index terms) and scored with the document's FTS5 length, capped at
 * that list's last impact (a document outside the list cannot weigh more than the list's weakest). A document
 * in no query term's list is never a candidate: the approximation this path accepts. Catalogs under the exact
 * budget (bm25-ranking.ts; every corpus we evaluate) never take this path.
 *
 * Measured (keyword search alone, the scale bench's 106 questions, BENCHMARKS.md "Keyword search at scale"):
 * at 1,000,000 records p50 27 ms, p95 39 ms (whole index query: lists, completion, best chunks) with 0.93 of the
 * exact top 10 kept and the same best document for 0.96 of the questions; at 200,000 records 0.95 / 0.96.
 * test/stores/champion-lists.test.ts checks the fidelity on a Zipf-distributed catalog.
 */
import type Database from 'libsql';
import { countTerm } from './best-chunk.js';
import { averageLength, documentLengths } from './fts5-sizes.js';

type Db = InstanceType<typeof Database>;

export const K1 = 1.2;
export const B = 0.75;
export const luceneIdf = (n: number, df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5));
/** FTS5's IDF in bm25() (fts5_aux.c): ln((N − df + 0.5)/(df + 0.5)), floored at 1e-6. */
export const fts5Idf = (n: number, df: number) => Math.max(1e-6, Math.log((n - df + 0.5) / (df + 0.5)));

export interface ChampionOptions {
  /** Documents kept per term: a term in at most this many documents has its whole (exact) list. */
  length: number;
}

/**
 * Lists of 2.5 % of the documents, at least 5,000. Fidelity follows that share, not the list's size: lists of
 * 2.5 % kept 0.93–0.95 of the exact top 10 (3,000-document test catalog, 200,000 and 1,000,000 synthetic
 * records), lists of 1.3 % 0.84, and 5,000 rows at 1,000,000 records (0.5 %) only 0.65. The table holds min(df, length) postings
 * per term at 8 bytes each (+60 MB on a 450 MB index file at 200,000 records).
 */
export const listLength = (documents: number) => Math.max(5_000, Math.ceil(documents * 0.025));

/**
 * One row per term: its document frequency and its best documents as packed arrays (Int32 document ids,
 * Float32 impacts, best first). A packed row is read in one b-tree lookup; the same postings as table rows cost
 * ~0.65 µs each to hand to JS (6.5 ms for a query's 10,000 at 200,000 records).
 */
export const TERM_STATISTICS_SCHEMA = `
CREATE TABLE term_postings (term TEXT PRIMARY KEY, df INTEGER NOT NULL, docs BLOB NOT NULL, impacts BLOB NOT NULL) WITHOUT ROWID;
`;

/** Writes every term's document frequency and champion list (after the FTS5 table is complete and optimised). */
export function writeTermStatistics(db: Db, options?: ChampionOptions): void {
  const documents = (db.prepare('SELECT count(*) AS n FROM docs_fts_docsize').get() as { n: number }).n;
  const length = options?.length ?? listLength(documents);
  db.exec("CREATE VIRTUAL TABLE temp.build_vocab USING fts5vocab('main', 'docs_fts', 'row')");
  const terms = db.prepare('SELECT term, doc AS df FROM temp.build_vocab').raw(true).all() as Array<[string, number]>;
  db.exec('DROP TABLE temp.build_vocab');
  const best = db.prepare('SELECT rowid AS doc, bm25(docs_fts) AS s FROM docs_fts WHERE docs_fts MATCH ? ORDER BY s LIMIT ?').raw(true);
  const insert = db.prepare('INSERT INTO term_postings (term, df, docs, impacts) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const [term, df] of terms) {
      const rows = best.all(`"${term}"`, length) as Array<[number, number]>;
      // A single-term bm25() is −idf·impact with FTS5's IDF; dividing it out leaves the impact.
      const idf = fts5Idf(documents, df);
      const docs = new Int32Array(rows.length);
      const impacts = new Float32Array(rows.length);
      rows.forEach(([doc, s], i) => {
        docs[i] = doc;
        impacts[i] = -s / idf;
      });
      insert.run(term, df, Buffer.from(docs.buffer), Buffer.from(impacts.buffer));
    }
  })();
}

/** Document frequencies of `terms` (terms no document holds are absent). */
export function readDocumentFrequencies(db: Db, terms: readonly string[]): Map<string, number> {
  if (terms.length === 0) return new Map();
  const rows = db.prepare(`SELECT term, df FROM term_postings WHERE term IN (${terms.map(() => '?').join(',')})`).all(...terms) as Array<{ term: string; df: number }>;
  return new Map(rows.map((r) => [r.term, r.df]));
}

/** Adds one term's exact Lucene-IDF BM25 contribution to every document holding it. */
export function addExactTerm(db: Db, acc: Map<number, number>, term: string, count: number, documents: number, df: number): void {
  const scale = (count * luceneIdf(documents, df)) / fts5Idf(documents, df);
  const single = db.prepare('SELECT rowid AS doc, bm25(docs_fts) AS s FROM docs_fts WHERE docs_fts MATCH ?');
  for (const r of single.all(`"${term}"`) as Array<{ doc: number; s: number }>) acc.set(r.doc, (acc.get(r.doc) ?? 0) - r.s * scale);
}

/** A term whose list was cut at `length`: a document outside it may still hold the term. */
interface CommonTerm {
  term: string;
  weight: number;
  /** This term's bit in DenseScores' membership masks (0 past 32 cut terms: then `listed`). */
  bit: number;
  listed?: Set<number>;
  /** The list's weakest impact: the most a document outside it can weigh. */
  floor: number;
}

/** Documents completed exactly after the lists are merged (the best by their listed impacts). */
const SHORTLIST = 500;

/** The best `n` documents by BM25 (Lucene IDF), from the terms' champion lists. */
export function rankWithChampions(db: Db, counts: ReadonlyMap<string, number>, documents: number, df: ReadonlyMap<string, number>, n: number): Array<{ doc: number; score: number }> {
  const acc = new DenseScores(documents);
  const common: CommonTerm[] = [];
  const read = db.prepare('SELECT docs, impacts FROM term_postings WHERE term = ?');
  for (const [term, count] of counts) {
    const row = read.get(term) as { docs: Blob; impacts: Blob } | undefined;
    if (!row) continue;
    const docs = int32s(row.docs);
    const impacts = float32s(row.impacts);
    const weight = count * luceneIdf(documents, df.get(term)!);
    // A cut list's documents are marked with the term's bit (32 bits: a 33rd cut term keeps a Set).
    const cut = docs.length < df.get(term)!;
    const bit = cut && common.length < 32 ? 1 << common.length : 0;
    acc.addList(docs, impacts, weight, bit);
    if (cut) common.push({ term, weight, bit, ...(bit === 0 ? { listed: new Set(docs) } : {}), floor: impacts[impacts.length - 1] ?? 0 });
  }
  const missing = ([doc, , mask]: Candidate) => common.filter((c) => (c.bit !== 0 ? (mask & c.bit) === 0 : !c.listed!.has(doc)));
  const shortlist = acc.best(Math.max(SHORTLIST, n * 4));
  const toComplete = shortlist.filter((c) => missing(c).length > 0).map(([doc]) => doc);
  if (toComplete.length > 0) {
    const tf = termCounts(db, toComplete, common.map((c) => c.term));
    const lengths = documentLengths(db, 'docs_fts', toComplete);
    const avgdl = averageLength(db, 'docs_fts');
    for (const entry of shortlist) {
      for (const c of missing(entry)) {
        const f = tf.get(entry[0])?.get(c.term) ?? 0;
        if (f === 0) continue;
        const impact = (f * (K1 + 1)) / (f + K1 * (1 - B + (B * (lengths.get(entry[0]) ?? avgdl)) / avgdl));
        entry[1] += c.weight * Math.min(impact, c.floor);
      }
    }
  }
  return shortlist.map(([doc, score]) => ({ doc, score })).sort((a, b) => b.score - a.score || a.doc - b.doc).slice(0, n);
}

/**
 * Scores by document id in one array (ids are 1…N): a query over common terms merges tens of thousands of
 * postings, and a Map there was a quarter of the query's time at 1M records. The array is kept between queries
 * (8 MB at 1M documents; queries are synchronous, so one is enough) and only the touched entries are reset.
 */
let scratch = { scores: new Float64Array(0), masks: new Uint32Array(0) };

/** A document, its score so far and the bits of the cut lists it is in. */
type Candidate = [doc: number, score: number, mask: number];

class DenseScores {
  private readonly scores: Float64Array;
  private readonly masks: Uint32Array;
  private readonly touched: number[] = [];

  constructor(documents: number) {
    if (scratch.scores.length < documents + 1) scratch = { scores: new Float64Array(documents + 1), masks: new Uint32Array(documents + 1) };
    this.scores = scratch.scores;
    this.masks = scratch.masks;
  }

  /** Adds a list's weighted impacts and marks its documents with `bit` (a Set per cut list cost more than the adding). */
  addList(docs: Int32Array, impacts: Float32Array, weight: number, bit: number): void {
    const { scores, masks, touched } = this;
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i]!;
      const v = weight * impacts[i]!;
      // Every contribution is positive (Lucene's IDF and a present term's impact are), so 0 means untouched.
      if (!(v > 0) || d >= scores.length) continue;
      if (scores[d] === 0) touched.push(d);
      scores[d]! += v;
      masks[d]! |= bit;
    }
  }

  /** The `size` best documents, best first; resets the arrays for the next query. */
  best(size: number): Candidate[] {
    const { scores, masks, touched: all } = this;
    const cut = all.length > size ? cutFor(all, scores, size) : -Infinity;
    const out: Candidate[] = [];
    for (const d of all) {
      if (scores[d]! >= cut) out.push([d, scores[d]!, masks[d]!]);
      scores[d] = 0;
      masks[d] = 0;
    }
    return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, size);
  }
}

/**
 * A score at or below the `size`-th best of `docs`: from a sorted sample of every 8th score, with a margin, so
 * only a little more than `size` pairs are built and sorted (sorting all scores was a third of the query time
 * at 1M records). If the sample's cut keeps too few, the exact cut from every score.
 */
function cutFor(docs: readonly number[], scores: Float64Array, size: number): number {
  const step = 8;
  const sample = new Float64Array(Math.ceil(docs.length / step));
  for (let i = 0, j = 0; i < docs.length; i += step) sample[j++] = scores[docs[i]!]!;
  sample.sort();
  const rank = Math.min(sample.length, Math.ceil((size * 1.5) / step));
  const cut = sample[sample.length - rank]!;
  let kept = 0;
  for (const d of docs) if (scores[d]! >= cut) kept++;
  if (kept >= size) return cut;
  const every = new Float64Array(docs.length);
  for (let i = 0; i < docs.length; i++) every[i] = scores[docs[i]!]!;
  return every.sort()[every.length - size]!;
}

/**
 * libsql returns a BLOB as a Buffer from get() (small ones carved out of Node's shared pool, at any offset): a
 * typed array needs 4-byte alignment, so an unaligned one is copied; an aligned one is viewed in place.
 */
type Blob = Uint8Array | ArrayBuffer;
const aligned = (b: Blob): [ArrayBufferLike, number, number] =>
  b instanceof Uint8Array ? (b.byteOffset % 4 === 0 ? [b.buffer, b.byteOffset, b.byteLength / 4] : [b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength), 0, b.byteLength / 4]) : [b, 0, b.byteLength / 4];
const int32s = (b: Blob) => new Int32Array(...aligned(b));
const float32s = (b: Blob) => new Float32Array(...aligned(b));

/** How often each term occurs in each document's chunks (their stored index terms, as written to FTS5). */
function termCounts(db: Db, docs: readonly number[], terms: readonly string[]): Map<number, Map<string, number>> {
  const out = new Map<number, Map<string, number>>();
  for (let i = 0; i < docs.length; i += 500) {
    const batch = docs.slice(i, i + 500);
    const rows = db.prepare(`SELECT doc, terms FROM chunks WHERE doc IN (${batch.map(() => '?').join(',')})`).raw(true).all(...batch) as Array<[number, string]>;
    for (const [doc, text] of rows) {
      const counts = out.get(doc) ?? new Map<string, number>();
      for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + countTerm(text, t));
      out.set(doc, counts);
    }
  }
  return out;
}
