import type { Chunk, Scored } from '../core/types.js';
import { words } from './text-tokens.js';

/** A kept hit and the near-identical chunks collapsed into it (real catalogs publish the same record twice). */
export interface CollapsedHit extends Scored<Chunk> {
  duplicates: Chunk[];
}

/**
 * Collapses near-duplicate chunks: walking best-first, a chunk whose word-trigram set overlaps an already
 * kept one by at least `threshold` (Jaccard) is folded into it. Identical text is caught by hash first.
 */
export function collapseNearDuplicates(hits: Scored<Chunk>[], threshold: number): CollapsedHit[] {
  const kept: Array<CollapsedHit & { shingles: Set<string> }> = [];
  const byHash = new Map<string, CollapsedHit>();
  for (const h of hits) {
    const same = byHash.get(h.item.textHash);
    if (same) {
      same.duplicates.push(h.item);
      continue;
    }
    const shingles = shingleSet(h.item.text);
    const twin = kept.find((k) => jaccard(k.shingles, shingles) >= threshold);
    if (twin) {
      twin.duplicates.push(h.item);
      continue;
    }
    const entry = { item: h.item, score: h.score, duplicates: [], shingles };
    kept.push(entry);
    byHash.set(h.item.textHash, entry);
  }
  return kept.map(({ shingles: _s, ...rest }) => rest);
}

function shingleSet(text: string): Set<string> {
  const w = words(text);
  const out = new Set<string>();
  for (let i = 0; i + 3 <= w.length; i++) out.add(`${w[i]} ${w[i + 1]} ${w[i + 2]}`);
  if (out.size === 0 && w.length) out.add(w.join(' '));
  return out;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  // Cheap bound first: very different sizes cannot reach a high Jaccard.
  if (Math.min(a.size, b.size) / Math.max(a.size, b.size) < 0.5) return 0;
  let inter = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const s of small) if (large.has(s)) inter++;
  return inter / (a.size + b.size - inter);
}
