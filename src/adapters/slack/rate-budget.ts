/**
 * Slack's rate limits, kept on our side: one token bucket per method per workspace (per channel for
 * chat.postMessage), shared by every answer in progress. Slack counts calls per method per workspace per app
 * (https://api.slack.com/apis/rate-limits), so ten answers editing at once share one chat.update budget; a
 * per-answer interval cannot know that. With a shared bucket the edits of each answer simply come further
 * apart as more answers stream, instead of tripping 429s — which @slack/web-api answers by pausing its whole
 * request queue (every other call waits too) and, after its retries, dropping the call.
 *
 * Live updates only take a token that is free right now (a skipped one is replaced by the next: it carries
 * the whole text); the final update of an answer and other calls that must happen wait for one, the final
 * ones first. A 429 that gets through anyway empties the bucket until its Retry-After has passed.
 */

/** A fixed budget: `limit` calls per `windowSec`, per workspace (and per channel when `perChannel`). */
export interface Tier {
  limit: number;
  windowSec: number;
  perChannel?: boolean;
}

/**
 * The published tiers of the methods an answer uses. Tier 2 ~20/min, Tier 3 ~50/min, Tier 4 ~100/min
 * (https://api.slack.com/apis/rate-limits). chat.update: Tier 3 (https://docs.slack.dev/reference/methods/chat.update);
 * conversations.replies: Tier 3 (https://docs.slack.dev/reference/methods/conversations.replies);
 * chat.startStream / chat.stopStream: Tier 2, chat.appendStream: Tier 4
 * (https://docs.slack.dev/reference/methods/chat.startStream, …/chat.appendStream, …/chat.stopStream);
 * chat.postMessage: "special", about one message per second per channel with short bursts allowed
 * (https://docs.slack.dev/reference/methods/chat.postMessage) — modelled as 5 per 5 s per channel;
 * chat.postEphemeral (the thanks for a 👍/👎): Tier 4 (https://docs.slack.dev/reference/methods/chat.postEphemeral).
 */
export const SLACK_TIERS: Readonly<Record<string, Tier>> = {
  'chat.update': { limit: 50, windowSec: 60 },
  'conversations.replies': { limit: 50, windowSec: 60 },
  'chat.startStream': { limit: 20, windowSec: 60 },
  'chat.stopStream': { limit: 20, windowSec: 60 },
  'chat.appendStream': { limit: 100, windowSec: 60 },
  'chat.postMessage': { limit: 5, windowSec: 5, perChannel: true },
  'chat.postEphemeral': { limit: 100, windowSec: 60 },
};

export type Priority = 'final' | 'normal';

/** Where a call is counted: the workspace, and the channel for per-channel tiers. */
export interface Scope {
  team?: string | undefined;
  channel?: string | undefined;
}

interface Waiter {
  priority: Priority;
  resolve: () => void;
}

interface Bucket {
  capacity: number;
  /** Tokens per millisecond. */
  rate: number;
  tokens: number;
  /** Tokens are counted up to this time (later than now while a Retry-After runs). */
  at: number;
  waiters: Waiter[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A bucket that never admits more than `limit` calls in any `windowSec`: burst B = a tenth of the limit, and a
 * refill rate such that B + rate × window stays under the limit with 5 % to spare (calls reach Slack a little
 * after they leave, not always in order).
 */
function bucketFor(tier: Tier, now: number): Bucket {
  const capacity = Math.max(1, Math.floor(tier.limit / 10));
  const rate = ((tier.limit - capacity) * 0.95) / (tier.windowSec * 1000);
  return { capacity, rate, tokens: capacity, at: now, waiters: [], timer: undefined };
}

export class RateBudget {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly tiers: Readonly<Record<string, Tier>> = SLACK_TIERS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Waits until a call of `method` may go out (final calls before others, each in arrival order). */
  take(method: string, scope: Scope, priority: Priority = 'normal'): Promise<void> {
    const b = this.bucket(method, scope);
    if (!b) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const i = priority === 'final' ? b.waiters.findIndex((w) => w.priority !== 'final') : -1;
      const waiter = { priority, resolve };
      if (i < 0) b.waiters.push(waiter);
      else b.waiters.splice(i, 0, waiter);
      this.serve(b);
    });
  }

  /** A token now, or false: for live updates, which the next one replaces. Never ahead of a waiting call. */
  tryTake(method: string, scope: Scope): boolean {
    const b = this.bucket(method, scope);
    if (!b) return true;
    this.refill(b);
    if (b.waiters.length > 0 || b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Slack answered 429: nothing more of this kind until `retryAfterMs` has passed. */
  pause(method: string, scope: Scope, retryAfterMs: number): void {
    const b = this.bucket(method, scope);
    if (!b) return;
    b.tokens = 0;
    b.at = Math.max(b.at, this.now() + retryAfterMs);
    if (b.timer) clearTimeout(b.timer);
    b.timer = undefined;
    this.serve(b);
  }

  /** Calls of `method` waiting for a token (for logs and tests). */
  waiting(method: string, scope: Scope): number {
    return this.bucket(method, scope)?.waiters.length ?? 0;
  }

  private bucket(method: string, scope: Scope): Bucket | undefined {
    const tier = this.tiers[method];
    if (!tier) return undefined;
    const key = `${method}|${scope.team ?? ''}|${tier.perChannel ? (scope.channel ?? '') : ''}`;
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = bucketFor(tier, this.now())));
    return b;
  }

  private refill(b: Bucket): void {
    const now = this.now();
    if (now <= b.at) return;
    b.tokens = Math.min(b.capacity, b.tokens + (now - b.at) * b.rate);
    b.at = now;
  }

  private serve(b: Bucket): void {
    this.refill(b);
    while (b.waiters.length > 0 && b.tokens >= 1 && this.now() >= b.at) {
      b.tokens -= 1;
      b.waiters.shift()!.resolve();
    }
    if (b.waiters.length === 0 || b.timer) return;
    const wait = Math.max(0, b.at - this.now()) + Math.max(0, (1 - b.tokens) / b.rate);
    b.timer = setTimeout(() => {
      b.timer = undefined;
      this.serve(b);
    }, Math.ceil(wait));
  }
}
