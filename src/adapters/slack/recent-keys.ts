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
  private readonly entries = new Map<string, number>();

  constructor(private readonly o: { ttlMs?: number; max?: number; now?: () => number } = {}) {}

  private get ttl(): number {
    return this.o.ttlMs ?? 10 * 60_000;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  has(key: string): boolean {
    const expires = this.entries.get(key);
    if (expires === undefined) return false;
    if (expires > this.now()) return true;
    this.entries.delete(key);
    return false;
  }

  add(key: string): void {
    this.entries.delete(key);
    this.entries.set(key, this.now() + this.ttl);
    this.prune();
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

  private prune(): void {
    const max = this.o.max ?? 10_000;
    // Insertion order is expiry order (every add re-inserts), so the oldest are first.
    const now = this.now();
    for (const [k, expires] of this.entries) {
      if (this.entries.size <= max && expires > now) break;
      this.entries.delete(k);
    }
  }
}
