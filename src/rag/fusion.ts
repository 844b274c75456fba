import type { Chunk, Scored } from '../core/types.js';

/** A ranked list from one retriever, with how much it counts in the fusion. */
export interface RankedList {
  hits: Scored<Chunk>[];
  weight: number;
}

/**
 * Reciprocal rank fusion: score = Σ weight / (k + rank). It uses only ranks, so BM25 scores (unbounded) and
 * cosine similarities (−1..1) need no calibration against each other. k = 60 is the value from the original
 * paper (Cormack et al. 2009); `npm run eval` compares it with score fusion.
 */
export function reciprocalRankFusion(lists: RankedList[], k: number): Scored<Chunk>[] {
  const fused = new Map<string, Scored<Chunk>>();
  for (const { hits, weight } of lists) {
    if (weight <= 0) continue; // a list that cannot count must not add zero-score entries either
    hits.forEach((h, rank) => {
      const prev = fused.get(h.item.id);
      const add = weight / (k + rank + 1);
      if (prev) prev.score += add;
      else fused.set(h.item.id, { item: h.item, score: add });
    });
  }
  return [...fused.values()].sort((a, b) => b.score - a.score);
}

/**
 * Convex combination of min-max normalised scores: score = Σ weight · (s − min) / (max − min).
 * Kept beside RRF because it can use how far apart scores are, not only their order; eval decides.
 */
export function scoreFusion(lists: RankedList[]): Scored<Chunk>[] {
  const fused = new Map<string, Scored<Chunk>>();
  for (const { hits, weight } of lists) {
    if (hits.length === 0 || weight <= 0) continue;
    const scores = hits.map((h) => h.score);
    const min = Math.min(...scores);
    const span = Math.max(...scores) - min || 1;
    for (const h of hits) {
      const add = (weight * (h.score - min)) / span;
      const prev = fused.get(h.item.id);
      if (prev) prev.score += add;
      else fused.set(h.item.id, { item: h.item, score: add });
    }
  }
  return [...fused.values()].sort((a, b) => b.score - a.score);
}
