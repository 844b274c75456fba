import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { App, HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../../logging/logger.js';

/**
 * Replay protection for Slack's HTTP transport (Events API, `/docent`, button clicks on `/slack/events`).
 *
 * What Bolt 5.1 already does (node_modules/@slack/bolt/dist/receivers/verify-request.js, `verifySlackRequest`,
 * called by HTTPModuleFunctions.parseAndVerifyHTTPRequest for every HTTPReceiver request): HMAC-SHA256 of
 * `v0:<timestamp>:<body>` compared in constant time (tsscmp), and "Rule 1: Check staleness" — a timestamp more
 * than 5 minutes in the *past* is refused with 401. It does not refuse a timestamp in the future, and it keeps no
 * memory of what it verified: the same signed request sent again inside those 5 minutes is processed again. For
 * events that costs nothing (answers are deduplicated by `event_id`), but a replayed `/docent <question>` posts
 * a second answer and a replayed button click records a second vote; neither carries an event id.
 *
 * So, in front of and behind Bolt's check:
 * - `fresh()`: a request whose X-Slack-Request-Timestamp is more than 5 minutes away from our clock, either way,
 *   is refused with 401 before its body is read (the past half repeats Bolt's rule; the future half is new).
 * - `claim()`: once Bolt has verified the signature, the signature is remembered until the request would be
 *   stale anyway; a second request with the same signature (the same timestamp and body: an exact replay) is
 *   acknowledged with an empty 200 and dropped. Only verified signatures are recorded, so a forged request
 *   cannot block a genuine one. Slack's own retries (X-Slack-Retry-Num) are signed afresh and pass here; the
 *   `event_id` check in message-handler.ts answers them once.
 *
 * Socket Mode needs none of this: there is no inbound HTTP request to replay. Docent opens the WebSocket itself
 * to a URL from `apps.connections.open`, authenticated with the app-level token, and Slack sends envelopes only
 * down that socket (@slack/socket-mode SocketModeClient); a third party cannot inject into it. Retried events
 * carry the same `event_id` there too.
 *
 * Each process keeps its own memory: replicas behind one HTTP endpoint do not share it (Socket Mode, the default,
 * is what the scale-out set-up uses).
 */

/** Slack's window (Bolt's `requestTimestampMaxDeltaMin`). */
export const MAX_AGE_SEC = 5 * 60;

/** Context key Bolt copies from `customPropertiesExtractor` into each listener's context. */
export const REPLAYED = 'docentReplayedRequest';

export interface ReplayGuardOptions {
  /** Signatures remembered at most; past it the oldest are forgotten (default 100,000: ~330 requests/s for 5 min). */
  maxEntries?: number;
  now?: () => number;
}

export class ReplayGuard {
  /** Signature → when it stops mattering (ms); insertion order is close to expiry order. */
  private readonly seen = new Map<string, number>();
  private readonly max: number;
  private readonly now: () => number;
  /** How many unexpired signatures were forgotten because the set was full. */
  evicted = 0;

  constructor(o: ReplayGuardOptions = {}) {
    this.max = o.maxEntries ?? 100_000;
    this.now = o.now ?? Date.now;
  }

  /** False when the timestamp header is present but not a number within ±5 minutes of now; a missing one is Bolt's to judge. */
  fresh(header: string | string[] | undefined): boolean {
    if (header === undefined) return true;
    const ts = Number(Array.isArray(header) ? header[0] : header);
    return Number.isFinite(ts) && Math.abs(this.now() / 1000 - ts) <= MAX_AGE_SEC;
  }

  /** Records a verified signature; false when it was already seen while still inside its window (a replay). */
  claim(signature: string, timestampSec: number): boolean {
    const now = this.now();
    const expires = this.seen.get(signature);
    if (expires !== undefined && expires > now) return false;
    this.seen.delete(signature);
    // Bolt accepts the request while timestamp >= now - 300 s, so it is replayable until then (+1 s for rounding).
    this.seen.set(signature, (timestampSec + MAX_AGE_SEC + 1) * 1000);
    this.prune(now);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(now: number): void {
    for (const [sig, expires] of this.seen) {
      if (expires > now && this.seen.size <= this.max) break;
      if (expires > now) this.evicted++;
      this.seen.delete(sig);
    }
  }
}

type BufferedRequest = IncomingMessage & { rawBody?: Buffer };

/**
 * Puts the guard around a Bolt HTTPReceiver and App: the timestamp window in front of Bolt's request listener,
 * the replay mark through `customPropertiesExtractor` (it runs after Bolt verified the signature), and a global
 * middleware that acknowledges and drops a marked request before any listener sees it.
 */
export function guardHttpReceiver(receiver: HTTPReceiver, guard: ReplayGuard, logger: Pick<Logger, 'warn'>): void {
  const bolt: RequestListener = receiver.requestListener;
  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && !guard.fresh(req.headers['x-slack-request-timestamp'])) {
      logger.warn({ url: req.url, timestamp: String(req.headers['x-slack-request-timestamp']).slice(0, 20) }, 'refused a Slack request outside the 5-minute window');
      res.writeHead(401).end();
      req.resume();
      return;
    }
    bolt(req, res);
  };
}

/** For HTTPReceiver's `customPropertiesExtractor`: marks an exact replay of a verified request. */
export function replayMarker(guard: ReplayGuard): (req: BufferedRequest) => Record<string, unknown> {
  return (req) => {
    const signature = req.headers['x-slack-signature'];
    const ts = Number(req.headers['x-slack-request-timestamp']);
    // No signature here means verification was off or the request was not signed (ssl_check): nothing to claim.
    if (typeof signature !== 'string' || !Number.isFinite(ts)) return {};
    return guard.claim(signature, ts) ? {} : { [REPLAYED]: true };
  };
}

/** The global middleware: a marked request is acknowledged (so Slack stops) and goes no further. */
export function dropReplays(app: App, logger: Pick<Logger, 'warn'>): void {
  app.use(async (args) => {
    if (args.context[REPLAYED] !== true) return args.next();
    const ack = (args as { ack?: () => Promise<void> }).ack;
    if (ack) await ack();
    logger.warn({ type: (args.body as { type?: string }).type }, 'dropped a replayed Slack request (same signature seen within 5 minutes)');
  });
}
