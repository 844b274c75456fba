import { BoundedMap } from '../bounded-map.js';
import type { CatalogFinish, Citation, FinishInfo, Passage } from './types.js';

/** A finished answer as kept, dataset cards and the date filter it stated included. */
export interface CachedAnswer extends CatalogFinish {
  passages: Passage[];
  text: string;
  citations: Citation[];
  backend: string;
  notFound: boolean;
  searchQuery: string;
  /** A not-found answer's closest records (FinishInfo.nearest), replayed with it. */
  nearest?: FinishInfo['nearest'];
}

/**
 * Answers to repeated questions, keyed by the normalised question, its scope and the index version — so a
 * reindex invalidates every entry without any bookkeeping. Entries expire after `ttlMs`; the least recently
 * used go first when `maxEntries` is reached. Only questions without thread history are cached: a follow-up's
 * answer depends on the conversation.
 */
export class AnswerCache {
  private readonly entries: BoundedMap<string, CachedAnswer>;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    now: () => number = Date.now,
  ) {
    this.entries = new BoundedMap({ max: maxEntries, ttlMs, touchOnGet: true, now });
  }

  static key(question: string, indexVersion: string | number, scope: string[] = []): string {
    return `${indexVersion}\u0000${normalizeQuestion(question)}\u0000${[...scope].sort().join(',')}`;
  }

  get(key: string): CachedAnswer | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: CachedAnswer): void {
    // ANSWER_CACHE_TTL_MS=0 (or no entries) turns the cache off.
    if (this.ttlMs <= 0 || this.maxEntries <= 0) return;
    this.entries.set(key, value);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Case, spacing and trailing punctuation do not make a different question. */
export function normalizeQuestion(q: string): string {
  return q.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').replace(/[\s?!.]+$/, '').trim();
}
