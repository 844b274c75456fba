import type { Logger } from '../logging/logger.js';

/** The lease a leased platform needs (src/stores/chroma-holder-lease.ts implements it on the shared Chroma). */
export interface PlatformLease {
  readonly holder: string;
  acquire(): Promise<boolean>;
  renew(): Promise<boolean>;
  readonly expiresAt: number;
  release(): Promise<void>;
}

/** One connection of the platform: a fresh one per term as holder (a destroyed discord.js client is not reused). */
export interface PlatformSession {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type LeasedState = 'connected' | 'standby' | 'failed';

export interface LeasedPlatformOptions {
  name: string;
  lease: PlatformLease;
  /** Builds a new session (an adapter with its own client). */
  session: () => PlatformSession;
  /** Lease time to live, ms; the holder renews every third of it, a standby looks as often. */
  ttlMs: number;
  logger: Logger;
  /** Told when this replica starts holding (and serving), stands by, or failed to serve while holding. */
  onState?: (state: LeasedState, reason?: string) => void;
}

export interface LeasedPlatform {
  /**
   * Takes the lease if it is free and starts a session (its failure rejects, as an unleased start would), or
   * stands by. Resolves with which; from then on a timer renews the lease, or watches for it to come free.
   */
  start(): Promise<'connected' | 'standby'>;
  /** Stops the timer and the session, then releases the lease so a standby takes over at its next look. */
  stop(): Promise<void>;
  readonly holding: boolean;
}

/**
 * A platform connection that only one replica may hold at a time — a Discord bot token's gateway session: every
 * session of one token receives every event, so N replicas each logged in would answer every question N times
 * (sharding splits guilds, not events within one). The replica holding the lease serves; the others stand by
 * (still serving HTTP, the web chat and Slack), and one of them takes over within about ttl + ttl/3 after the
 * holder stops renewing (crashed, killed, partitioned from Chroma).
 *
 * A holder that cannot renew in time stops its session before the lease can have passed to someone else: at
 * worst two sessions overlap for one renewal interval when clocks disagree, never indefinitely. When Chroma is
 * unreachable for longer than the TTL nobody holds the lease, so the gateway is down with the vector store.
 */
export function createLeasedPlatform(o: LeasedPlatformOptions): LeasedPlatform {
  const log = o.logger.child({ platform: o.name, leaseHolder: o.lease.holder });
  const everyMs = Math.max(250, Math.floor(o.ttlMs / 3));
  let session: PlatformSession | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  /** After a failed start, the next attempt waits this long (doubling, capped): a bad token must not spin. */
  let backoffMs = 0;
  let retryAt = 0;
  let busy: Promise<void> = Promise.resolve();

  const serve = async (): Promise<void> => {
    const s = o.session();
    try {
      await s.start();
    } catch (err) {
      await s.stop().catch(() => undefined);
      await o.lease.release();
      backoffMs = Math.min(5 * 60_000, backoffMs ? backoffMs * 2 : everyMs * 3);
      retryAt = Date.now() + backoffMs;
      throw err;
    }
    session = s;
    backoffMs = 0;
  };

  const standDown = async (why: string): Promise<void> => {
    const s = session;
    session = undefined;
    if (!s) return;
    log.warn({ why }, `${o.name}: this replica no longer holds the gateway lease; disconnecting`);
    o.onState?.('standby', why);
    await s.stop().catch((err: unknown) => log.warn({ err }, 'stopping the session failed'));
  };

  const tick = async (): Promise<void> => {
    if (stopped) return;
    // One line per tick: a loop that stopped ticking (or a tick that hangs) shows as silence in a debug log.
    log.debug({ holding: session !== undefined, expiresInMs: o.lease.expiresAt ? o.lease.expiresAt - Date.now() : undefined }, 'gateway lease check');
    try {
      if (session) {
        // Renewing late is losing: past our own expiry another replica may already be connected.
        const kept = Date.now() < o.lease.expiresAt && (await o.lease.renew());
        if (!kept) await standDown('the lease was not renewed in time');
      } else if (Date.now() >= retryAt && (await o.lease.acquire())) {
        log.info(`${o.name}: took over the gateway lease; connecting`);
        await serve().then(
          () => o.onState?.('connected'),
          (err: unknown) => {
            log.error({ err }, `${o.name}: could not connect after taking the lease; released it`);
            o.onState?.('failed', err instanceof Error ? err.message : String(err));
          },
        );
      }
    } catch (err) {
      // Chroma unreachable: a holder keeps serving until its lease would have expired (checked next tick).
      log.warn({ err }, 'lease check failed');
      if (session && Date.now() >= o.lease.expiresAt) await standDown('the lease expired while Chroma was unreachable');
    }
  };

  const schedule = () => {
    if (stopped) return;
    // Not unref'd: on a standby this timer is the platform's only pending work (no gateway socket; with
    // HTTP_PORT=0 no server either), and an unref'd one let Node exit (code 13, main's await unsettled) right
    // after "standing by", leaving no replica to take over. stop() clears it.
    timer = setTimeout(() => {
      busy = tick().finally(schedule);
    }, everyMs);
  };

  return {
    get holding() {
      return session !== undefined;
    },
    async start() {
      let won = false;
      try {
        won = await o.lease.acquire();
        if (won) await serve();
        else log.info(`${o.name}: another replica holds the gateway session; standing by`);
      } finally {
        // A failed first start is retried (after its backoff), as a standby would take over.
        schedule();
      }
      return won ? 'connected' : 'standby';
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await busy;
      const s = session;
      session = undefined;
      if (s) await s.stop();
      await o.lease.release();
    },
  };
}
