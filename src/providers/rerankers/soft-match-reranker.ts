import { isStopWord, stem, words } from '../../core/text/text-tokens.js';
import { loadWordVectors, type WordVectors } from '../embedders/word-vectors.js';
import type { Reranker } from '../../core/ports/reranker.js';

/**
 * A reranker that needs no model download: late interaction (the ColBERT "MaxSim" idea) over static word
 * vectors. Each query content word finds its best match in the passage — 1 for the same stem, else the
 * best cosine with any passage word — and the passage score is the IDF-weighted mean of those matches.
 * Unlike the word-vector embedder, which averages a passage into one point, every query word must be
 * answered by some passage word, so "lumber" is satisfied by "timber" and a passage that covers only half
 * of the question cannot win on the other half's strength.
 */

/** Reranker id for the default settings; bump the `@N` suffix when the scoring below changes. */
export const SOFT_MATCH_RERANKER_ID = 'soft-match:wink-sg100d@1';

const DEFAULT_MAX_WORDS = 200_000;
// Max-sim rewards sheer length: every extra word is one more chance of a near-match for each query word,
// so a 600-word record beat a 100-word one on vocabulary, not topic. Only the head is read instead (title,
// keywords and the start of the description for a catalog record; the lead of a page). On the USFS eval
// (records of 70–620 words) 100–150 words measured alike and 300 or more lost 0.03–0.05 recall@5.
const DEFAULT_PASSAGE_WORDS = 150;

/** Options for {@link createSoftMatchReranker}. */
export interface SoftMatchRerankerOptions {
  /** Where the binary word-vector cache lives (shared with the word-vector embedder). */
  cacheDir: string;
  /** Vocabulary size kept in memory (default 200 000 ≈ 80 MB). */
  maxWords?: number;
  /** Words (stop words included) read from the start of each passage (default 150). */
  passageWords?: number;
}

/**
 * Creates the soft-match reranker, loading (or on first use converting) the word vectors that the
 * word-vector embedder also uses. Scores lie in 0..1 (plus a small title bonus); they are comparable
 * across the passages of one call, not across questions.
 */
export async function createSoftMatchReranker(opts: SoftMatchRerankerOptions): Promise<Reranker> {
  const vectors = await loadWordVectors({ cacheDir: opts.cacheDir, maxWords: opts.maxWords ?? DEFAULT_MAX_WORDS });
  return softMatchRerankerFrom(vectors, opts.passageWords ?? DEFAULT_PASSAGE_WORDS);
}

/** Builds the reranker over already-loaded vectors (lets tests and the embedder share one load). */
export function softMatchRerankerFrom(vectors: WordVectors, passageWords = DEFAULT_PASSAGE_WORDS): Reranker {
  const weightOf = idfWeights(vectors);
  return {
    id: SOFT_MATCH_RERANKER_ID,
    fuseWithRetrieval: true,
    score: async (query, passages) => scorePassages(vectors, weightOf, query, passages, passageWords),
  };
}

// Cosines below this are what unrelated GloVe words reach anyway (~0.2–0.35); counting them would let a
// long passage collect partial credit for every query word from sheer vocabulary size. 0.25–0.45 measured
// alike on the USFS eval; 0.55 lost 0.05 recall@5 (related words such as cut/harvest sit at 0.4–0.55).
const COS_FLOOR = 0.35;
// A query word matched in the title line counts this much more: a record is about what its title names.
// Small on purpose: 0–0.3 measured alike; 1.0 lost 0.02 MRR by letting a title match outweigh the rest.
const TITLE_BONUS = 0.15;

interface QueryWord {
  stem: string;
  vector: Float32Array | undefined;
  weight: number;
}

function scorePassages(vectors: WordVectors, weightOf: (w: string) => number, query: string, passages: string[], cap: number): number[] {
  const qWords = queryWords(vectors, weightOf, query);
  if (qWords.length === 0) return passages.map(() => 0); // nothing to match: no passage is preferred
  const total = qWords.reduce((s, q) => s + q.weight, 0);
  // A cosine depends only on the word, so each distinct word is compared once per call however many
  // passages contain it (catalog records share much of their vocabulary): ~700 distinct words for 30 records.
  // Stemming is memoised the same way: it cost more than the cosines.
  const cache = new Map<string, Float32Array>();
  const matches = (word: string): Float32Array => {
    let m = cache.get(word);
    if (!m) {
      m = new Float32Array(qWords.length);
      const s = stem(word);
      const v = vectors.get(word);
      for (let i = 0; i < qWords.length; i++) {
        // A literal (stemmed) match is certain even for words the vectors lack: codes, acronyms, names.
        m[i] = s === qWords[i]!.stem ? 1 : v ? softCos(qWords[i]!.vector, v) : 0;
      }
      cache.set(word, m);
    }
    return m;
  };

  return passages.map((passage) => {
    const newline = passage.indexOf('\n');
    const titleWords = new Set(words(newline < 0 ? passage : passage.slice(0, newline)));
    const best = new Float32Array(qWords.length);
    const titleBest = new Float32Array(qWords.length);
    const seen = new Set<string>();
    let count = 0;
    // Records run to 4000 characters; tokenizing only what the cap can reach halves the time. 16 characters
    // a word is far above English's ~6, so the slice nearly always holds `cap` words.
    for (const w of words(passage.slice(0, cap * 16))) {
      if (count++ >= cap) break;
      if (isStopWord(w) || seen.has(w)) continue;
      seen.add(w);
      const m = matches(w);
      const inTitle = titleWords.has(w);
      for (let i = 0; i < qWords.length; i++) {
        if (m[i]! > best[i]!) best[i] = m[i]!;
        if (inTitle && m[i]! > titleBest[i]!) titleBest[i] = m[i]!;
      }
    }
    let score = 0;
    for (let i = 0; i < qWords.length; i++) score += qWords[i]!.weight * (best[i]! + TITLE_BONUS * titleBest[i]!);
    return score / total;
  });
}

function queryWords(vectors: WordVectors, weightOf: (w: string) => number, query: string): QueryWord[] {
  const out = new Map<string, QueryWord>();
  for (const w of words(query)) {
    if (isStopWord(w)) continue;
    const s = stem(w);
    if (!out.has(s)) out.set(s, { stem: s, vector: vectors.get(w), weight: weightOf(w) });
  }
  return [...out.values()];
}

/** Cosine of two unit vectors, rescaled so the floor maps to 0 and 1 stays 1; 0 when either is missing. */
function softCos(a: Float32Array | undefined, b: Float32Array): number {
  if (!a) return 0;
  let c = 0;
  for (let d = 0; d < a.length; d++) c += a[d]! * b[d]!;
  return c <= COS_FLOOR ? 0 : (c - COS_FLOOR) / (1 - COS_FLOOR);
}

/**
 * IDF from the frequency rank: under Zipf's law frequency ∝ 1/rank, so log(rank) is IDF up to a constant.
 * The offset flattens the few hundred commonest words (all near-stop-words) to a similar low weight.
 * A word the vectors do not know (a program code like "cflrp") is rarer than any they know, so it gets the
 * top weight: when it matches literally it is the strongest evidence in the question.
 */
function idfWeights(vectors: WordVectors): (word: string) => number {
  const maxRank = vectors.sourceSize;
  return (word) => {
    const r = vectors.rank(word);
    return Math.log(2 + (r < 0 ? maxRank : r) / 100);
  };
}
