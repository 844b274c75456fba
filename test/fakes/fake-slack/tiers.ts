/**
 * Slack's Web API rate limits as the fake enforces them, on by default: each method has a budget per
 * workspace ("Rate limits are applied per method per workspace per app", https://api.slack.com/apis/rate-limits),
 * counted over a sliding window; a call over it gets HTTP 429 with `Retry-After` (seconds) and does nothing.
 *
 * - Tier 2 (~20/min): chat.startStream, chat.stopStream (https://docs.slack.dev/reference/methods/chat.startStream,
 *   https://docs.slack.dev/reference/methods/chat.stopStream).
 * - Tier 3 (~50/min): chat.update (https://docs.slack.dev/reference/methods/chat.update), conversations.replies
 *   (https://docs.slack.dev/reference/methods/conversations.replies), conversations.history.
 * - Tier 4 (~100/min): chat.appendStream (https://docs.slack.dev/reference/methods/chat.appendStream),
 *   chat.postEphemeral, chat.delete-adjacent reads.
 * - Special: chat.postMessage "generally allows posting one message per second per channel, while also
 *   maintaining a workspace-wide limit. Short bursts >1 are allowed" (https://docs.slack.dev/reference/methods/chat.postMessage):
 *   modelled as 5 per 5 s per channel (Slack does not publish the burst size).
 *
 * A 429'd call is not counted (it did nothing). Tests that assert something other than rate limits may run
 * faster windows (`fastTiers`) — and then give the adapter the same numbers.
 */
export interface WindowLimit {
  limit: number;
  windowSec: number;
  /** Counted per channel (chat.postMessage) instead of per workspace. */
  perChannel?: boolean;
}

export const SLACK_TIERS: Readonly<Record<string, WindowLimit>> = {
  'chat.startStream': { limit: 20, windowSec: 60 },
  'chat.stopStream': { limit: 20, windowSec: 60 },
  'chat.update': { limit: 50, windowSec: 60 },
  'conversations.replies': { limit: 50, windowSec: 60 },
  'conversations.history': { limit: 50, windowSec: 60 },
  'chat.appendStream': { limit: 100, windowSec: 60 },
  'chat.postEphemeral': { limit: 100, windowSec: 60 },
  'chat.postMessage': { limit: 5, windowSec: 5, perChannel: true },
};

/** The same budgets over windows `factor` times shorter (the same counts, `factor` times the rate). */
export function fastTiers(factor: number, tiers: Readonly<Record<string, WindowLimit>> = SLACK_TIERS): Record<string, WindowLimit> {
  return Object.fromEntries(Object.entries(tiers).map(([m, t]) => [m, { ...t, windowSec: t.windowSec / factor }]));
}

/** Accepted calls per key within the window; says how long until the next may pass when the budget is spent. */
export class SlidingWindows {
  private readonly calls = new Map<string, number[]>();

  /** Milliseconds to wait (> 0) when over the budget; else records the call and returns 0. */
  admit(key: string, l: WindowLimit, at: number): number {
    const windowMs = l.windowSec * 1000;
    const times = (this.calls.get(key) ?? []).filter((t) => t > at - windowMs);
    this.calls.set(key, times);
    if (times.length >= l.limit) return times[0]! + windowMs - at;
    times.push(at);
    return 0;
  }
}
