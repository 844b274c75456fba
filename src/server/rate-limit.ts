/**
 * A per-client token bucket for the web chat API: each client (an IP address) may spend `burst` tokens at once and
 * gets `perMinute` back per minute. Buckets that have refilled completely are forgotten, so the map holds only
 * clients seen recently (and is capped: a flood of new addresses cannot grow it without bound).
 */

export interface RateLimiter {
  /** Takes one token for `client`: `ok`, or how many seconds until the next token (for Retry-After). */
  take(client: string): { ok: true } | { ok: false; retryAfterSeconds: number };
  /** Whether `client` has a token now, without taking it (a client never seen has a full bucket). */
  check(client: string): { ok: true } | { ok: false; retryAfterSeconds: number };
}

export function createRateLimiter(o: { perMinute: number; burst: number; now?: () => number; maxClients?: number }): RateLimiter {
  const now = o.now ?? Date.now;
  const perMs = o.perMinute / 60_000;
  const maxClients = o.maxClients ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  function sweep(t: number): void {
    for (const [k, b] of buckets) if (b.tokens + (t - b.at) * perMs >= o.burst) buckets.delete(k);
    // Still full of clients that are all mid-bucket: drop the oldest (Map keeps insertion order).
    for (const k of buckets.keys()) {
      if (buckets.size < maxClients) break;
      buckets.delete(k);
    }
  }

  const wait = (tokens: number): number => Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));

  return {
    check(client) {
      const b = buckets.get(client);
      if (!b) return { ok: true };
      const tokens = Math.min(o.burst, b.tokens + (now() - b.at) * perMs);
      return tokens >= 1 ? { ok: true } : { ok: false, retryAfterSeconds: wait(tokens) };
    },
    take(client) {
      const t = now();
      let b = buckets.get(client);
      if (!b) {
        if (buckets.size >= maxClients) sweep(t);
        b = { tokens: o.burst, at: t };
        buckets.set(client, b);
      }
      b.tokens = Math.min(o.burst, b.tokens + (t - b.at) * perMs);
      b.at = t;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: wait(b.tokens) };
    },
  };
}
