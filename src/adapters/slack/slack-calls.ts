import type { webApi } from '@slack/bolt';
import type { Logger } from '../../logging/logger.js';
import { RateBudget, type Priority, type Scope } from './rate-budget.js';

type WebClient = webApi.WebClient;
/** Slack's answer: `ok`, and the method's fields (`ts`, `messages`, …), read by name. */
export type Result = webApi.WebAPICallResult & Record<string, unknown>;

/**
 * Web API calls through the shared budget (rate-budget.ts), with our own answer to a 429. The client is
 * created with `rejectRateLimitedCalls: true`: @slack/web-api's own handling pauses its whole request queue
 * on any 429 (an unrelated call of another answer waits too) and gives up after its retries, which once
 * dropped the final update of an answer — full text, sources, buttons — leaving it half-written. Here:
 *
 * - `live`: one attempt if the budget has a token now; skipped otherwise (the next live call, or the final,
 *   carries the whole text). A 429 empties the bucket for its Retry-After and is not retried.
 * - `call` (priority `normal`): waits for a token; a 429 is retried after its Retry-After, a few times.
 * - `call` (priority `final`): waits for a token ahead of every non-final call; a 429 or a network failure is
 *   retried on its own schedule (Retry-After, else backing off) for up to FINAL_DEADLINE_MS. Only Slack
 *   refusing the call itself (an error code such as message_not_in_streaming_state) ends it early: the
 *   caller knows how to repair that.
 */
export const NORMAL_RETRIES = 3;
export const FINAL_DEADLINE_MS = 10 * 60_000;

export class SlackCalls {
  /**
   * The workspace the budget counts for. A Docent process holds one bot token, so one workspace: learnt from
   * auth.test at start (events do not always carry `team`, and two spellings of one workspace would double it).
   */
  team: string | undefined;

  constructor(
    readonly client: WebClient,
    readonly budget: RateBudget,
    private readonly logger?: Logger,
  ) {}

  private scope(channel: string | undefined): Scope {
    return { team: this.team, channel };
  }

  /** A live update: sent if a token is free now, else skipped (undefined). */
  async live(method: string, args: Record<string, unknown>): Promise<Result | undefined> {
    const scope = this.scope(channelOf(args));
    if (!this.budget.tryTake(method, scope)) return undefined;
    try {
      return (await this.client.apiCall(method, args)) as Result;
    } catch (err) {
      const retryAfter = rateLimitedFor(err);
      if (retryAfter !== undefined) {
        this.budget.pause(method, scope, retryAfter);
        return undefined;
      }
      throw err;
    }
  }

  /** A call that must happen: waits for its turn and retries 429s (and, for finals, network failures). */
  async call(method: string, args: Record<string, unknown>, priority: Priority = 'normal'): Promise<Result> {
    const scope = this.scope(channelOf(args));
    const deadline = performance.now() + FINAL_DEADLINE_MS;
    for (let attempt = 1; ; attempt++) {
      await this.budget.take(method, scope, priority);
      try {
        return (await this.client.apiCall(method, args)) as Result;
      } catch (err) {
        const retryAfter = rateLimitedFor(err);
        const final = priority === 'final';
        if (retryAfter !== undefined) this.budget.pause(method, scope, retryAfter);
        // Slack refused the call itself: retrying cannot help; the caller decides.
        if (slackCode(err) && retryAfter === undefined) throw err;
        const again = final ? performance.now() < deadline : retryAfter !== undefined && attempt <= NORMAL_RETRIES;
        if (!again) throw err;
        this.logger?.warn({ method, attempt, retryAfterMs: retryAfter, final, err: retryAfter === undefined ? err : undefined }, 'slack call failed; retrying');
        // A 429's wait is in the budget already; a network failure backs off (1 s, 2 s, 4 s … 30 s).
        if (retryAfter === undefined) await sleep(Math.min(30_000, 1000 * 2 ** (attempt - 1)));
      }
    }
  }
}

function channelOf(args: Record<string, unknown>): string | undefined {
  const c = args['channel'] ?? args['channel_id'];
  return typeof c === 'string' ? c : undefined;
}

/** Retry-After in ms when `err` is @slack/web-api's rejected rate-limited call. */
export function rateLimitedFor(err: unknown): number | undefined {
  const e = err as { code?: unknown; retryAfter?: unknown } | null;
  if (e?.code !== 'slack_webapi_rate_limited_error') return undefined;
  return typeof e.retryAfter === 'number' ? e.retryAfter * 1000 : 1000;
}

function slackCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' && data.error !== 'ratelimited' ? data.error : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
