import type { DocentConfig } from '../../config/schema.js';
import { sha256 } from '../core/hash.js';
import type { Logger } from '../logging/logger.js';
import type { PlatformReporter } from '../server/platform-health.js';
import { createChromaHolderLease } from '../stores/chroma-holder-lease.js';
import { createLeasedPlatform, type PlatformSession } from './leased-platform.js';

/**
 * `docent start`'s Discord runner. With a shared Chroma server (CHROMA_URL: the scale-out set-up) the gateway
 * session is leased, one per bot token across the replicas (leased-platform.ts); without one there is a single
 * process (embedded or in-memory store), so it simply connects.
 *
 * `session(report)` builds a Discord adapter that reports its connection changes through `report`; each term as
 * holder gets a new one, and a session that was stood down no longer reports (its client's disconnect is ours).
 */
export function discordRunner(
  config: DocentConfig, logger: Logger, report: PlatformReporter, session: (report: PlatformReporter) => PlatformSession,
): { start(): Promise<void | 'standby'>; stop(): Promise<void> } {
  if (!config.chroma.url) return session(report);
  const ttlMs = config.discord.gatewayLeaseMs;
  const lease = createChromaHolderLease({
    ...config.chroma, ttlMs, logger,
    // The token itself never reaches Chroma: only a hash of a hash of it names the lease.
    key: `discord-gateway:${sha256(config.discord.token)}`,
  });
  let current: object | undefined;
  const leased = createLeasedPlatform({
    name: 'Discord', lease, ttlMs, logger, onState: report,
    session: () => {
      const id = {};
      current = id;
      const s = session((state, reason) => current === id && report(state, reason));
      return { start: () => s.start(), stop: () => ((current = current === id ? undefined : current), s.stop()) };
    },
  });
  return { start: async () => ((await leased.start()) === 'standby' ? 'standby' : undefined), stop: () => leased.stop() };
}
