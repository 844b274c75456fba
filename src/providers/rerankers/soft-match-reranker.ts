import { isStopWord, stem, words } from '../../rag/text-tokens.js';
import { loadWordVectors, type WordVectors } from '../embedders/word-vectors.js';
import type { Reranker } from './reranker.js';

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
const DEFAULT_PASSAGE_WORDS = 300;

/** Options for {@link createSoftMatchReranker}. */
export interface SoftMatchRerankerOptions {
  /** Where the binary word-vector cache lives (shared with the word-vector embedder). */
  cacheDir: string;
  /** Vocabulary size kept in memory (default 200 000 ≈ 80 MB). */
  maxWords?: number;
  /** Words of each passage considered (default 300): a catalog record's substance is in its head. */
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
    score: async (query, passages) => scorePassages(vectors, weightOf, query, passages, passageWords),
  };
}

// Cosines below this are what unrelated GloVe words reach anyway (~0.2–0.35); counting them would let
// a long passage collect partial credit for every query word from sheer vocabulary size.
export const _T = { floor: 0.35, title: 0.15, idfDiv: 100, idfMode: 'log', unknownRank: -1, cap: 300, header: 'line', titleMode: 'mult' };
const COS_FLOOR = 0.35;
// A match in the title line counts this much more: a record is about what its title names.
const TITLE_BONUS = 0.15;

interface QueryWord {
  stem: string;
  vector: Float32Array | undefined;
  weight: number;
}

function scorePassages(vectors: WordVectors, weightOf: (w: string) => number, query: string, passages: string[], cap: number): number[] {
  cap = _T.cap;
  const qWords = queryWords(vectors, weightOf, query);
  if (qWords.length === 0) return passages.map(() => 0);
  const total = qWords.reduce((s, q) => s + q.weight, 0);
  const simCache = new Map<string, Float32Array>();
  const similarities = (word: string): Float32Array => {
    let sims = simCache.get(word);
    if (!sims) {
      sims = new Float32Array(qWords.length);
      const v = vectors.get(word);
      if (v) qWords.forEach((q, i) => (sims![i] = q.vector ? softCos(dot(q.vector, v)) : 0));
      simCache.set(word, sims);
    }
    return sims;
  };

  return passages.map((passage) => {
    let titleEnd: number;
    if (_T.header === 'line') { const n = passage.indexOf('\n'); titleEnd = n < 0 ? passage.length : n; }
    else { const n = passage.indexOf('\n\n'); titleEnd = n < 0 ? Math.min(passage.length, 200) : n; }
    const titleWords = new Set(words(passage.slice(0, titleEnd)));
    const best = new Float32Array(qWords.length);
    const tBest = new Float32Array(qWords.length);
    const seen = new Set<string>();
    let count = 0;
    for (const w of words(passage)) {
      if (count++ >= cap) break;
      if (isStopWord(w) || seen.has(w)) continue;
      seen.add(w);
      const s = stem(w);
      const sims = similarities(w);
      const title = titleWords.has(w);
      for (let i = 0; i < qWords.length; i++) {
        const m = s === qWords[i]!.stem ? 1 : sims[i]!;
        if (m > best[i]!) best[i] = m;
        if (title && m > tBest[i]!) tBest[i] = m;
      }
    }
    let score = 0;
    for (let i = 0; i < qWords.length; i++) score += qWords[i]!.weight * (best[i]! + _T.title * tBest[i]!);
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

/** Rescales a cosine so the floor maps to 0 and 1 stays 1. */
function softCos(c: number): number {
  return c <= _T.floor ? 0 : (c - _T.floor) / (1 - _T.floor);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += a[d]! * b[d]!;
  return s;
}

/**
 * IDF from the frequency rank (Zipf: frequency ∝ 1/rank, so log(rank) is IDF up to a constant). Words the
 * vectors do not know — codes like "FACTS" lower-cased are known, but "edw" or "cflrp" are not — are rare
 * by definition and get the weight of the rarest known word: a literal code is a strong signal.
 */
function idfWeights(vectors: WordVectors): (word: string) => number {
  const maxRank = vectors.sourceSize;
  return (word) => {
    let r = vectors.rank(word);
    if (r < 0) r = _T.unknownRank < 0 ? maxRank : _T.unknownRank;
    if (_T.idfMode === 'flat') return 1;
    if (_T.idfMode === 'sif') { return 1 - 1 / (1 + _T.idfDiv * (r + 1) / maxRank * 1000); }
    return Math.log(2 + r / _T.idfDiv);
  };
}
