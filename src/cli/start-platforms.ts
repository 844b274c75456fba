import { DocentError } from '../core/errors.js';
import type { Logger } from '../logging/logger.js';
import type { PlatformReporter } from '../server/platform-health.js';

/** One configured chat platform as `docent start` runs it. */
export interface PlatformRunner {
  name: string;
  /** Where its state goes (`/readyz`). */
  report: PlatformReporter;
  /** Resolves when serving; with 'standby' when another replica serves it (a leased Discord gateway). */
  start(): Promise<void | 'standby'>;
  stop(): Promise<void>;
}

/** An error as one log line: its message (and its cause's), never a stack or an object that may carry a token. */
function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
  return (cause && !message.includes(cause) ? `${message} (${cause})` : message).replace(/\s+/g, ' ').trim();
}

/**
 * Starts every configured platform at once and independently: one that cannot log in (a bad token, a refused
 * login, Discord unreachable) is reported as failed with one line naming it and why, and the others — and the
 * web chat — serve anyway. Starting them one after another, as before, let a Discord failure keep Slack from
 * ever starting. Only when nothing at all could start (no platform and no web chat) does start-up fail.
 * Returns the names of the platforms that started.
 */
export async function startPlatforms(platforms: PlatformRunner[], logger: Logger, o: { web: boolean }): Promise<string[]> {
  const outcomes = await Promise.all(platforms.map(async (p) => {
    try {
      p.report((await p.start()) === 'standby' ? 'standby' : 'connected');
      return { name: p.name, ok: true as const };
    } catch (err) {
      const reason = oneLine(err);
      p.report('failed', reason);
      const others = platforms.filter((q) => q !== p).map((q) => q.name).concat(o.web ? ['the web chat'] : []);
      logger.error({ platform: p.name, reason }, `${p.name} failed to start: ${reason}${others.length ? ` (${others.join(' and ')} start${others.length > 1 ? '' : 's'} regardless)` : ''}`);
      return { name: p.name, ok: false as const, reason };
    }
  }));
  const started = outcomes.filter((x) => x.ok).map((x) => x.name);
  if (platforms.length > 0 && started.length === 0 && !o.web) {
    const why = outcomes.map((x) => `${x.name}: ${x.ok ? 'ok' : x.reason}`).join('; ');
    throw new DocentError('platforms_failed', 'platform', `no chat platform could start (${why})`, { hint: 'Check the tokens in .env (DISCORD_TOKEN, SLACK_BOT_TOKEN, …) and the log above.' });
  }
  return started;
}
