import type { LRUCache } from 'lru-cache';

/**
 * lru-cache options for a time-limited cache on an injectable millisecond clock (`Date.now` in production, a
 * plain counter in tests). Two lru-cache defaults do not fit such a clock:
 * - `ttlResolution` (1 ms) caches the clock's reading until a real 1 ms timer fires, so a test clock moved
 *   between two synchronous calls would not be seen; 0 reads the clock on every check (as cheap as `Date.now`).
 * - an entry whose start time is 0 counts as having no TTL, so with a clock starting at 0 it would never
 *   expire; the clock is shifted by 1 ms (only differences between readings matter).
 */
export function lruClock(now: () => number = Date.now): Pick<LRUCache.Options<string, unknown, unknown>, 'perf' | 'ttlResolution'> {
  return { perf: { now: () => now() + 1 }, ttlResolution: 0 };
}
