/**
 * A Map with a size bound and an optional time to live: the one implementation behind every in-process cache
 * and "seen already?" set (the answer cache, Slack's recent event keys, Discord's answer memory, the activity
 * log's recent answers, the near-duplicate signature memo), which had each grown its own.
 *
 * Map iteration order is the eviction order: `set` re-inserts, so the oldest write leaves first when `max` is
 * passed; with `touchOnGet`, a read re-inserts too, making it least-recently-used. An entry older than `ttlMs` is
 * never returned. Expired entries are dropped when read, and from the front of the order on every `set` (with a
 * uniform TTL and no touching, the front is the oldest), so a set that only grows stays bounded by time too.
 */
export interface BoundedMapOptions {
  /** Entries kept at most; the oldest (or least recently used) leave first. */
  max: number;
  /** Entry lifetime, ms; none when undefined. */
  ttlMs?: number;
  /** A read moves the entry to the back (LRU) instead of leaving the write order alone. */
  touchOnGet?: boolean;
  now?: () => number;
}

export class BoundedMap<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();
  private readonly now: () => number;

  constructor(private readonly o: BoundedMapOptions) {
    this.now = o.now ?? Date.now;
  }

  get(key: K): V | undefined {
    const e = this.live(key);
    if (!e) return undefined;
    if (this.o.touchOnGet) {
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    return e.value;
  }

  /** Whether a live entry exists; never moves it. */
  has(key: K): boolean {
    return this.live(key) !== undefined;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.o.ttlMs === undefined ? Infinity : this.now() + this.o.ttlMs });
    const now = this.now();
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.o.max && e.expires > now) break;
      this.entries.delete(k);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.entries.size;
  }

  private live(key: K): { value: V; expires: number } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires > this.now()) return e;
    this.entries.delete(key);
    return undefined;
  }
}
