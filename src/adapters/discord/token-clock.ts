import { DiscordAPIError, RESTJSONErrorCodes } from 'discord.js';

/**
 * How long an interaction's token may still be used. "Interaction tokens are valid for 15 minutes"
 * (https://discord.com/developers/docs/interactions/receiving-and-responding#followup-messages); after that every
 * edit or follow-up through it is 401 with code 50027 "Invalid Webhook Token" — and 401s count toward Cloudflare's
 * invalid-request ban (10,000 per 10 minutes, https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit).
 */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;

/**
 * When Docent stops using the token on its own: a minute early, so that an edit queued behind a rate limit or a
 * slow request never reaches Discord after the deadline, and clock skew between us and Discord does not matter.
 */
export const TOKEN_HANDOFF_AFTER_MS = 14 * 60_000;

/** True for Discord's answer to a request made with an expired (or otherwise dead) interaction token. */
export function isInvalidWebhookToken(err: unknown): boolean {
  return err instanceof DiscordAPIError && (err.code === RESTJSONErrorCodes.InvalidWebhookToken || (err.status === 401 && /\/webhooks\//.test(err.url)));
}

/**
 * The age of one interaction's token, and whether to keep using it. Created when the interaction arrives
 * (its snowflake carries Discord's creation time, which is what the 15 minutes count from). Once the token is
 * past `handoffAfterMs`, or Discord has answered 50027 once, `usable` is false for good: the caller switches to
 * the bot token and never sends another request with this interaction token.
 */
export class TokenClock {
  private died = false;

  constructor(
    /** Epoch ms the interaction was created (`interaction.createdTimestamp`). */
    readonly createdAt: number,
    readonly handoffAfterMs: number = TOKEN_HANDOFF_AFTER_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds since the interaction was created. */
  get ageMs(): number {
    return this.now() - this.createdAt;
  }

  /** Milliseconds of safe use left (0 once it should no longer be used). */
  get remainingMs(): number {
    return this.died ? 0 : Math.max(0, this.handoffAfterMs - this.ageMs);
  }

  /** True once Discord has answered 50027: not even a lookup (`fetchReply`) may use the token any more. */
  get dead(): boolean {
    return this.died;
  }

  /** Whether a request may still go through the interaction token. */
  get usable(): boolean {
    return !this.died && this.ageMs < this.handoffAfterMs;
  }

  /**
   * Looks at a failed interaction-token request: when it is the token's death (50027), marks it dead and returns
   * true, so the caller retries by bot token instead of failing (or retrying the same dead token).
   */
  noteFailure(err: unknown): boolean {
    if (!isInvalidWebhookToken(err)) return false;
    this.died = true;
    return true;
  }
}
