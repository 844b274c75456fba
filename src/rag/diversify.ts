/**
 * Diversity by source: at most `maxPerDocument` hits from the same document in the first `k` places, so one
 * long manual cannot crowd out every catalog record. Overflow hits are not dropped, only moved behind.
 */
export function diversifyByDocument<T>(hits: T[], key: (hit: T) => string, maxPerDocument: number, k: number): T[] {
  const head: T[] = [];
  const overflow: T[] = [];
  const counts = new Map<string, number>();
  for (const h of hits) {
    const id = key(h);
    const n = counts.get(id) ?? 0;
    if (head.length < k && n < maxPerDocument) {
      head.push(h);
      counts.set(id, n + 1);
    } else {
      overflow.push(h);
    }
  }
  return [...head, ...overflow];
}
