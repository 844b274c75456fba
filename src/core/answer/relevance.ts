import { terms } from '../text/text-tokens.js';
import type { RetrievedPassage } from './ports.js';

export interface RelevanceThresholds {
  /** A passage whose vector similarity to the question reaches this is relevant on meaning alone. */
  minVectorScore: number;
  /** Or: the share of the question's content words (stemmed) that appear in one passage. */
  minCoverage: number;
  /** Or: the share of the question's IDF weight in one passage (`signals.coverage`, when the retriever gives it). */
  minWeightedCoverage: number;
}

/**
 * "Did retrieval find anything worth answering from?" Retrieval always returns *something*; answering from
 * unrelated passages is how a bot invents. A passage counts when it is close in meaning (vector score), shares
 * enough of the question's words (coverage), or enough of their weight, rare words counting more (weighted
 * coverage: "vacuum my living room" against the VACUUM page misses the rare "living" and "room"). Thresholds
 * are calibrated by `npm run eval -- --answers`, which reports false refusals and off-topic answers per corpus.
 */
export function relevantPassages(question: string, passages: RetrievedPassage[], t: RelevanceThresholds): RetrievedPassage[] {
  const q = [...new Set(terms(question))];
  return passages.filter((p) => {
    if (p.signals.vector !== null && p.signals.vector >= t.minVectorScore) return true;
    if (p.signals.coverage != null && p.signals.coverage >= t.minWeightedCoverage) return true;
    if (q.length === 0) return false;
    const have = new Set(terms(p.text));
    return q.filter((w) => have.has(w)).length / q.length >= t.minCoverage;
  });
}
