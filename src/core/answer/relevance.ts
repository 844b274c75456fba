import { terms } from '../../rag/text-tokens.js';
import type { RetrievedPassage } from './ports.js';

export interface RelevanceThresholds {
  /** A passage whose vector similarity to the question reaches this is relevant on meaning alone. */
  minVectorScore: number;
  /** Or: the share of the question's content words (stemmed) that appear in one passage. */
  minCoverage: number;
}

/**
 * "Did retrieval find anything worth answering from?" Retrieval always returns *something*; answering from
 * unrelated passages is how a bot invents. A passage counts when it is close in meaning (vector score) or
 * shares enough of the question's words (coverage). Thresholds are calibrated by `npm run eval`, which
 * reports false refusals on catalog questions and refusals of off-topic ones.
 */
export function relevantPassages(question: string, passages: RetrievedPassage[], t: RelevanceThresholds): RetrievedPassage[] {
  const q = [...new Set(terms(question))];
  return passages.filter((p) => {
    if (p.signals.vector !== null && p.signals.vector >= t.minVectorScore) return true;
    if (q.length === 0) return false;
    const have = new Set(terms(p.text));
    return q.filter((w) => have.has(w)).length / q.length >= t.minCoverage;
  });
}
