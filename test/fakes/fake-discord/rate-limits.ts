/**
 * Discord-style per-route rate limits: every answer carries X-RateLimit-Limit/Remaining/Reset/Reset-After/
 * Bucket headers from a real fixed-window counter, a client that outruns the announced bucket gets a 429 like
 * it would from Discord, and a test can force the next N matching requests to 429 with a chosen retry_after.
 * Each 429 is recorded with when the same request came back, so a test can assert the client waited.
 *
 * On top of the per-route buckets sits the bot's global limit: 50 requests per second per bot token
 * (https://discord.com/developers/docs/topics/rate-limits#global-rate-limit). "Interaction endpoints are not
 * bound to the bot's Global Rate Limit" (same page), so the interaction callback and the interaction webhook
 * (`/webhooks/{app}/{token}/…`) are left out of it. Discord counts the global limit in fixed one-second windows
 * it does not announce (no headers until the 429: discord-api-docs#5144), so a client whose own one-second
 * window is not aligned with Discord's can be refused — as here.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FakeDiscordState, RateLimitRecord } from './state.js';

export interface BucketPolicy {
  limit: number;
  windowSec: number;
}

export interface ForcedRateLimit {
  /** HTTP method, or '*' for any. */
  method: string;
  /** Path below /api/v10 with `:name` placeholders for one segment each (or a RegExp on the path). */
  pathPattern: string | RegExp;
  /** How many consecutive matching requests get the 429 (default 1). */
  times?: number;
  /** Seconds, as Discord sends them (float in the body, rounded up in the Retry-After header). Default 1. */
  retryAfterSec?: number;
  /** Answer as a global rate limit (X-RateLimit-Global header, `global: true`). */
  global?: boolean;
}

/** Default windows, loosely Discord's: message sends and edits are tight per channel, the rest generous. */
const DEFAULT_POLICIES: { method: string; template: string; policy: BucketPolicy }[] = [
  { method: 'POST', template: '/channels/:channel/messages', policy: { limit: 5, windowSec: 5 } },
  { method: 'PATCH', template: '/channels/:channel/messages/:message', policy: { limit: 5, windowSec: 5 } },
  { method: 'POST', template: '/webhooks/:app/:token', policy: { limit: 5, windowSec: 2 } },
  { method: 'PATCH', template: '/webhooks/:app/:token/messages/:message', policy: { limit: 5, windowSec: 2 } },
];
const FALLBACK_POLICY: BucketPolicy = { limit: 50, windowSec: 1 };
/** Requests per second per bot token across all routes (Discord's documented global limit). */
export const GLOBAL_REQUESTS_PER_SEC = 50;

/** Routes outside the global limit: interaction callbacks and interaction webhooks (they carry their own token). */
export function isInteractionRoute(template: string): boolean {
  return template.startsWith('/interactions/') || template.startsWith('/webhooks/');
}

export interface RateLimitVerdict {
  headers: Record<string, string>;
  /** Present when the request must be answered with 429. */
  limited?: { body: Record<string, unknown>; headers: Record<string, string> };
}

/** Turns `/webhooks/:app/:token/messages/@original` into an anchored regex over one path. */
export function templateToRegExp(template: string): RegExp {
  const source = template
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

export class RateLimits {
  private readonly forced: { method: string; pattern: RegExp; remaining: number; retryAfterSec: number; global: boolean }[] = [];
  private readonly policies = [...DEFAULT_POLICIES];
  private readonly buckets = new Map<string, { limit: number; remaining: number; resetAt: number }>();
  private readonly global = { remaining: 0, resetAt: 0 };

  /** `globalPerSec`: the bot's global limit (0 turns it off). */
  constructor(private readonly state: FakeDiscordState, private readonly globalPerSec = GLOBAL_REQUESTS_PER_SEC) {}

  force(o: ForcedRateLimit): void {
    this.forced.push({
      method: o.method.toUpperCase(),
      pattern: typeof o.pathPattern === 'string' ? templateToRegExp(o.pathPattern) : o.pathPattern,
      remaining: o.times ?? 1,
      retryAfterSec: o.retryAfterSec ?? 1,
      global: o.global ?? false,
    });
  }

  /** Overrides the window for one route template (as the fake's route table spells it, e.g. `/channels/:channel/messages`). */
  setPolicy(method: string, template: string, policy: BucketPolicy): void {
    this.policies.unshift({ method: method.toUpperCase(), template, policy });
  }

  /**
   * Accounts one request. `template` is the matched route's template and `major` its major parameter
   * (channel, guild or webhook id), which like Discord's splits one bucket per resource. `countsGlobally`: the
   * request is the bot's (it carries the bot token and is not an interaction route), so the global limit applies.
   */
  check(method: string, path: string, template: string, major: string, countsGlobally = false): RateLimitVerdict {
    const at = performance.now();
    this.noteArrival(method, path, at);
    const hash = createHash('sha1').update(`${method} ${template}`).digest('hex').slice(0, 32);
    const policy = this.policies.find((p) => p.method === method && p.template === template)?.policy ?? FALLBACK_POLICY;
    const now = Date.now();
    const key = `${hash}:${major}`;
    let bucket = this.buckets.get(key);
    if (!bucket || now >= bucket.resetAt) {
      bucket = { limit: policy.limit, remaining: policy.limit, resetAt: now + policy.windowSec * 1000 };
      this.buckets.set(key, bucket);
    }

    const forced = this.forced.find((f) => f.remaining > 0 && (f.method === '*' || f.method === method) && f.pattern.test(path));
    if (forced) {
      forced.remaining--;
      return this.tooMany(method, path, at, hash, bucket.limit, forced.retryAfterSec, true, forced.global);
    }
    if (countsGlobally && this.globalPerSec > 0) {
      if (now >= this.global.resetAt) Object.assign(this.global, { remaining: this.globalPerSec, resetAt: now + 1000 });
      if (this.global.remaining <= 0) return this.tooMany(method, path, at, hash, bucket.limit, (this.global.resetAt - now) / 1000, false, true);
    }
    if (bucket.remaining <= 0) {
      return this.tooMany(method, path, at, hash, bucket.limit, (bucket.resetAt - now) / 1000, false, false);
    }
    if (countsGlobally && this.globalPerSec > 0) this.global.remaining--;
    bucket.remaining--;
    return { headers: this.headers(hash, bucket.limit, bucket.remaining, bucket.resetAt, now) };
  }

  private headers(hash: string, limit: number, remaining: number, resetAt: number, now: number): Record<string, string> {
    return {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Reset': (resetAt / 1000).toFixed(3),
      'X-RateLimit-Reset-After': ((resetAt - now) / 1000).toFixed(3),
      'X-RateLimit-Bucket': hash,
    };
  }

  private tooMany(
    method: string, path: string, at: number, hash: string, limit: number, retryAfterSec: number, forced: boolean, global: boolean,
  ): RateLimitVerdict {
    const now = Date.now();
    const record: RateLimitRecord = { at, method, path, retryAfterSec, forced, global };
    this.state.rateLimits.push(record);
    const headers = {
      ...this.headers(hash, limit, 0, now + retryAfterSec * 1000, now),
      'Retry-After': String(Math.ceil(retryAfterSec)),
      'X-RateLimit-Scope': global ? 'global' : 'user',
      ...(global ? { 'X-RateLimit-Global': 'true' } : {}),
    };
    return {
      headers,
      limited: { body: { message: 'You are being rate limited.', retry_after: retryAfterSec, global }, headers },
    };
  }

  /** Marks earlier 429s on the same method+path as retried by this request. */
  private noteArrival(method: string, path: string, at: number): void {
    for (const r of this.state.rateLimits) {
      if (r.retriedAt === undefined && r.method === method && r.path === path) {
        r.retriedAt = at;
        r.waitedMs = at - r.at;
      }
    }
  }
}
