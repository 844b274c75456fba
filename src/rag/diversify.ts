/**
 * Diversity by source: after a document's first `maxPerDocument` hits, each further hit from it has its score
 * halved (again for every extra hit), then the list is re-sorted. One long manual can no longer crowd out every
 * catalog record — but a much weaker hit from elsewhere is not promoted over a strong one either (a hard cap
 * did that: a question about gnuplot got an unrelated catalog record in third place).
 */
export function diversifyByDocument<T extends { score: number }>(hits: T[], key: (hit: T) => string, maxPerDocument: number, decay = 0.5): T[] {
  const counts = new Map<string, number>();
  const adjusted = hits.map((h, i) => {
    const id = key(h);
    const n = (counts.get(id) ?? 0) + 1;
    counts.set(id, n);
    const extra = Math.max(0, n - maxPerDocument);
    const factor = decay ** extra;
    // Lower the score whatever its sign (cross-encoder logits can be negative).
    const score = h.score >= 0 ? h.score * factor : h.score / factor;
    return { h, score, i };
  });
  adjusted.sort((a, b) => b.score - a.score || a.i - b.i);
  return adjusted.map((a) => a.h);
}
