import { LRUCache } from 'lru-cache';
import { lruClock } from '../../core/lru-clock.js';

/**
 * A bounded, time-limited set of keys, for "have we seen this already?" questions: retried event deliveries
 * (same `event_id`), the same message arriving as both `app_mention` and `message` (same channel + ts), threads
 * known to be Docent's or known not to be.
 *
 * Slack retries an unacknowledged event up to three times over about five minutes, so entries live for
 * `ttlMs` (default 10 minutes); `max` bounds memory under a flood, dropping the oldest first — so a retry is
 * recognised for min(ttl, max / keys-per-second): with 100k keys and two keys per event, 10 minutes up to
 * ~80 events/s, and still 60 s at 800/s (Slack's first retry comes after about a minute).
 */
export class RecentKeys {
  private readonly entries: LRUCache<string, true>;

  constructor(o: { ttlMs?: number; max?: number; now?: () => number } = {}) {
    // Only `has` and `set` touch the cache: `has` never moves an entry, so the oldest write leaves first.
    this.entries = new LRUCache<string, true>({ max: o.max ?? 10_000, ttl: o.ttlMs ?? 10 * 60_000, ...lruClock(o.now) });
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  add(key: string): void {
    this.entries.set(key, true);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /**
   * Claims all `keys` at once: true (and all are recorded) when none was seen, false when any was. Synchronous,
   * so two deliveries handled concurrently cannot both win.
   */
  claim(...keys: string[]): boolean {
    if (keys.some((k) => this.has(k))) return false;
    for (const k of keys) this.add(k);
    return true;
  }

  get size(): number {
    return this.entries.size;
  }
}
