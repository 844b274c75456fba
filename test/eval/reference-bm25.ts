/**
 * A textbook BM25 over whole documents, the yardstick every Docent retriever is measured against in
 * `npm run eval`. It shares no code with Docent's own search on purpose (its own tokenizer, stop words and
 * index), so a bug or a tuning choice in Docent cannot move the bar it is compared with. What it does is the
 * plain, widely reproduced recipe (Lucene's EnglishAnalyzer + BM25Similarity, give or take the stop list):
 *
 * - tokens: lower-cased runs of letters/digits (Unicode), stop words (NLTK's English list, below) dropped, then
 *   the Porter stemmer (`stemmer` package);
 * - score(q, d) = Σ over query tokens t of idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·|d|/avgdl)),
 *   k1 = 1.2, b = 0.75, idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5)) (Robertson–Spärck Jones with Lucene's +1, so a
 *   term in over half the documents still counts a little instead of counting against);
 * - a query token repeated counts once per occurrence (Lucene's behaviour for a repeated term clause);
 * - ties keep document order, so a ranking is reproducible.
 */
import { stemmer } from 'stemmer';

/** NLTK's English stop words (the Snowball list plus contraction pieces) without the apostrophe forms, which this tokenizer never produces. */
const STOP_WORDS = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers ' +
    'herself it its itself they them their theirs themselves what which who whom this that these those am is are ' +
    'was were be been being have has had having do does did doing a an the and but if or because as until while ' +
    'of at by for with about against between into through during before after above below to from up down in ' +
    'out on off over under again further then once here there when where why how all any both each few more most ' +
    'other some such no nor not only own same so than too very s t can will just don should now d ll m o re ve y ' +
    'ain aren couldn didn doesn hadn hasn haven isn ma mightn mustn needn shan shouldn wasn weren won wouldn'
  ).split(' '),
);

const TOKEN = /[\p{L}\p{N}]+/gu;

/** Index terms of a text: lower-cased letter/digit runs, stop words out, Porter-stemmed. */
export function referenceTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(TOKEN)) {
    if (!STOP_WORDS.has(m[0])) out.push(stemmer(m[0]));
  }
  return out;
}

export interface ReferenceDoc<K = string> {
  /** What a ranking returns for this document (the eval uses the gold key: sourceId, or sourceId#page). */
  key: K;
  text: string;
}

export interface ReferenceHit<K = string> {
  key: K;
  score: number;
}

export const K1 = 1.2;
export const B = 0.75;

export class ReferenceBM25<K = string> {
  private readonly keys: K[] = [];
  private readonly lengths: number[] = [];
  /** term → parallel arrays of document index and term frequency. */
  private readonly postings = new Map<string, { docs: number[]; tfs: number[] }>();
  private readonly avgdl: number;

  constructor(docs: Iterable<ReferenceDoc<K>>) {
    let total = 0;
    for (const doc of docs) {
      const index = this.keys.length;
      const tokens = referenceTokens(doc.text);
      const tf = new Map<string, number>();
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [term, n] of tf) {
        let p = this.postings.get(term);
        if (!p) this.postings.set(term, (p = { docs: [], tfs: [] }));
        p.docs.push(index);
        p.tfs.push(n);
      }
      this.keys.push(doc.key);
      this.lengths.push(tokens.length);
      total += tokens.length;
    }
    this.avgdl = this.keys.length ? total / this.keys.length : 0;
  }

  get size(): number {
    return this.keys.length;
  }

  idf(term: string): number {
    const df = this.postings.get(term)?.docs.length ?? 0;
    const n = this.keys.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Scores of every document containing at least one query term, by document index. */
  private scores(query: string): Map<number, number> {
    const acc = new Map<number, number>();
    for (const term of referenceTokens(query)) {
      const p = this.postings.get(term);
      if (!p) continue;
      const idf = this.idf(term);
      for (let i = 0; i < p.docs.length; i++) {
        const d = p.docs[i]!;
        const tf = p.tfs[i]!;
        const norm = K1 * (1 - B + (B * this.lengths[d]!) / this.avgdl);
        acc.set(d, (acc.get(d) ?? 0) + (idf * tf * (K1 + 1)) / (tf + norm));
      }
    }
    return acc;
  }

  /** The top k documents for a query, best first; documents sharing no term with it are never returned. */
  search(query: string, k: number): Array<ReferenceHit<K>> {
    return [...this.scores(query)]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, k)
      .map(([d, score]) => ({ key: this.keys[d]!, score }));
  }
}
