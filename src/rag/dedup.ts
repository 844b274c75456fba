import type { Chunk, Scored } from '../core/types.js';
import { LRUCache } from 'lru-cache';
import { fnv1a } from '../core/hash.js';
import { words } from '../core/text/text-tokens.js';

/** A kept hit and the near-identical chunks collapsed into it (real catalogs publish the same record twice). */
export interface CollapsedHit extends Scored<Chunk> {
  duplicates: Chunk[];
}

/**
 * Collapses near-duplicate chunks: walking best-first, a chunk whose word-trigram set overlaps an already
 * kept one by at least `threshold` (Jaccard) is folded into it. Identical text is caught by hash first.
 */
export function collapseNearDuplicates(hits: Scored<Chunk>[], threshold: number): CollapsedHit[] {
  const kept: Array<CollapsedHit & { sig: Uint32Array }> = [];
  const byHash = new Map<string, CollapsedHit>();
  for (const h of hits) {
    const same = byHash.get(h.item.textHash);
    if (same) {
      same.duplicates.push(h.item);
      continue;
    }
    const sig = signature(h.item);
    const twin = kept.find((k) => jaccard(k.sig, sig) >= threshold);
    if (twin) {
      twin.duplicates.push(h.item);
      continue;
    }
    const entry = { item: h.item, score: h.score, duplicates: [], sig };
    kept.push(entry);
    byHash.set(h.item.textHash, entry);
  }
  return kept.map(({ sig: _s, ...rest }) => rest);
}

/** Words looked at per chunk: enough to tell twins from siblings, cheap enough for every query. */
const SIGNATURE_WORDS = 400;
// Signatures are pure functions of the text, and the same chunks come back query after query: memoise by hash,
// least recently used out first (lru-cache's `get` refreshes recency).
const memo = new LRUCache<string, Uint32Array>({ max: 20_000 });

/** Sorted, distinct 32-bit hashes of the chunk's word trigrams. */
function signature(chunk: Chunk): Uint32Array {
  const cached = memo.get(chunk.textHash);
  if (cached) return cached;
  const w = words(chunk.text.slice(0, SIGNATURE_WORDS * 8)).slice(0, SIGNATURE_WORDS);
  const hashes = new Set<number>();
  for (let i = 0; i + 3 <= w.length; i++) hashes.add(fnv1a(`${w[i]} ${w[i + 1]} ${w[i + 2]}`));
  if (hashes.size === 0 && w.length) hashes.add(fnv1a(w.join(' ')));
  const sig = Uint32Array.from(hashes).sort();
  memo.set(chunk.textHash, sig);
  return sig;
}

function jaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 || b.length === 0) return 0;
  // Very different sizes cannot reach a high Jaccard; skip the merge.
  if (Math.min(a.length, b.length) / Math.max(a.length, b.length) < 0.5) return 0;
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return inter / (a.length + b.length - inter);
}
