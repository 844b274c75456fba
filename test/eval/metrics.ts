/**
 * Rank metrics for `npm run eval`. Every retriever (Docent's and the reference) is reduced to one number per
 * question — the rank of its first relevant result in the top 10, or null — so all of them are scored by the
 * same few lines.
 */

/** Where one question's first relevant result came, 1-based; null when not in the top 10. */
export interface Ranked<Q> {
  q: Q;
  rank: number | null;
}

export interface Metrics {
  n: number;
  r1: number;
  r5: number;
  r10: number;
  mrr10: number;
}

/** The first position (1-based) whose keys meet the gold set, looking at the first 10 results only. */
export function firstRelevantRank(resultKeys: string[][], relevant: ReadonlySet<string>): number | null {
  const i = resultKeys.slice(0, 10).findIndex((keys) => keys.some((k) => relevant.has(k)));
  return i < 0 ? null : i + 1;
}

/** Recall@k is the share of questions found in the top k (there is one answer to find: any gold entry counts). */
export function metrics(ranks: Array<{ rank: number | null }>): Metrics {
  const n = ranks.length;
  const share = (k: number) => (n ? ranks.filter((r) => r.rank !== null && r.rank <= k).length / n : Number.NaN);
  const mrr10 = n ? ranks.reduce((s, r) => s + (r.rank !== null && r.rank <= 10 ? 1 / r.rank : 0), 0) / n : Number.NaN;
  return { n, r1: share(1), r5: share(5), r10: share(10), mrr10 };
}

export const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');

/** A signed difference with a real minus sign, e.g. "+0.042" / "−0.130". */
export function delta(x: number, base: number): string {
  const d = x - base;
  if (!Number.isFinite(d)) return '–';
  return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(3)}`;
}
