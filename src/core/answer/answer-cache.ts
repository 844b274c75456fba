import { LRUCache } from 'lru-cache';
import { lruClock } from '../lru-clock.js';
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
  private readonly entries: LRUCache<string, CachedAnswer>;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    now: () => number = Date.now,
  ) {
    // A read makes an entry recently used but does not extend its life (`updateAgeOnGet` stays false); an
    // expired entry is never returned (`allowStale` stays false). lru-cache wants a positive integer `max` and
    // `ttl`: a disabled cache (ttlMs or maxEntries 0) is never written, so any valid bound does.
    this.entries = new LRUCache<string, CachedAnswer>({ max: Math.max(1, maxEntries), ttl: Math.max(1, Math.ceil(ttlMs)), ...lruClock(now) });
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
