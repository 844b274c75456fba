/**
 * The catalog-native part of an answer, kept out of the pipeline so the pipeline calls it in two places:
 * before retrieval (dates in the question become a filter, and leave the search words) and once the passages
 * are known (the sentence that states the filter, and the dataset cards).
 */
import type { Filter } from '../types.js';
import { asksForData, buildDatasetCards, numberByCitation } from './dataset-cards.js';
import { parseAskedDates, type AskedDates } from './date-filter.js';
import type { RetrievedPassage } from './ports.js';
import type { CatalogFinish, Citation, Passage } from './types.js';

export interface CatalogPlan {
  /** What to search: the query without its date words. */
  query: string;
  filter: Filter | undefined;
  dates: AskedDates | null;
  wantsCards: boolean;
}

/** Reads dates and data-seeking out of the (standalone) query; `base` is the channel's scope filter. */
export function planCatalogSearch(query: string, base: Filter | undefined, now?: Date): CatalogPlan {
  const dates = parseAskedDates(query, now);
  const filter: Filter | undefined = dates ? { ...base, coverage: dates.range } : base;
  // Dates in a question over a catalog ask about records: show them as cards too.
  return { query: dates?.rest ?? query, filter, dates, wantsCards: dates !== null || asksForData(query) };
}

/**
 * What the answer adds once the passages are known: `lead`, the text to stream before the answer ("Records
 * covering 2015 or later:" — a filter the reader cannot see must be stated), the `finish` fields with cards
 * numbered by passage (`finish`: fine for an answer without citations), and `cited(citations)`, the same with
 * the cards numbered the way the written answer cites them.
 */
export function catalogAnswer(plan: CatalogPlan, hits: readonly RetrievedPassage[], passages: readonly Passage[]) {
  const finish: CatalogFinish = {};
  if (plan.wantsCards) finish.cards = buildDatasetCards(hits, passages);
  if (plan.dates) finish.dateFilter = { from: plan.dates.range.from ?? null, to: plan.dates.range.to ?? null, label: plan.dates.label };
  const cited = (citations: readonly Citation[]): CatalogFinish => (finish.cards ? { ...finish, cards: numberByCitation(finish.cards, citations) } : finish);
  return { lead: plan.dates ? `${plan.dates.label}:\n\n` : '', finish, cited };
}

/** The catalog fields of a finish (or cached answer) object, for copying onto another. */
export function catalogFields(o: CatalogFinish): CatalogFinish {
  return { ...(o.cards ? { cards: o.cards } : {}), ...(o.dateFilter ? { dateFilter: o.dateFilter } : {}) };
}
