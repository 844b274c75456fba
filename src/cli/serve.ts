/**
 * `docent start` as a service — the production composition root. Everything a long-running Docent is made of is
 * wired here and nowhere else: the runtime (index, models, services), /metrics around the services, the HTTP
 * server (status, health, insights, and the web chat when on), the Discord and Slack adapters, the signals and
 * the order things stop in. The terminal chat (`docent chat`) is the other entry point, in chat-command.ts.
 */
import { commandList } from '../../commands/index.js';
import type { DocentServices } from '../../commands/services.js';
import type { DocentConfig } from '../../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { loadInsights } from '../insights/load-insights.js';
import type { Logger } from '../logging/logger.js';
import { discordRunner } from '../runtime/discord-gateway-lease.js';
import { openRuntime } from '../runtime/docent-runtime.js';
import { resolveChain } from '../runtime/generators.js';
import { createGracefulShutdown } from '../runtime/shutdown.js';
import { createMetrics, createWebChat, instrumentServices, PlatformHealth, readinessCheck, startHttpServer } from '../server/index.js';
import { createChromaClaims } from '../stores/chroma-lease.js';
import type { CliContext } from './context.js';
import { handOverSignals } from './signals.js';
import { startPlatforms, type PlatformRunner } from './start-platforms.js';

/**
 * Runs the configured platform adapters and (with `web`) the web chat until SIGINT/SIGTERM, then stops them and
 * the runtime cleanly. With the web chat and no platform it serves HTTP only, and never reads stdin.
 */
export async function serve(ctx: CliContext, o: { web: boolean }): Promise<void> {
  // A service: its logs stay on stderr (JSON, or pretty on a TTY) for the operator, TTY or not.
  const { config, logger } = ctx;
  if (o.web && config.server.port === 0) throw new ConfigError('HTTP_PORT', 'must not be 0 while the web chat is on (WEB_CHAT=on, --web, or the Space profile)', 'Set HTTP_PORT (7860 by default) or WEB_CHAT=off.');
  // Signals are this function's from here (src/runtime/shutdown.ts), not the CLI's plain exit (signals.ts): a
  // signal during start-up is not lost; from the first one the process exits within 10 s whatever still runs,
  // and a second exits at once.
  const shutdown = createGracefulShutdown({ logger });
  const restoreSignals = handOverSignals();
  const runtime = await openRuntime(config, logger, { indexIfEmpty: true, schedule: true, onIndexed: (s) => logger.info({ documents: s.documents, chunks: s.chunks, skipped: s.skipped.length }, 'indexed') }).catch((err: unknown) => {
    shutdown.dispose();
    restoreSignals();
    throw err;
  });
  // Every answer and admin reindex is counted for /metrics; the adapters get the instrumented services.
  const metrics = createMetrics();
  const services = instrumentServices(runtime.services, metrics);
  const adapters: PlatformRunner[] = [];
  // Each configured platform's state for /readyz: platforms start and fail independently (start-platforms.ts).
  const health = new PlatformHealth();
  const servers: Array<{ name: string; stop(): Promise<void> }> = [];
  if (config.server.port > 0) {
    const ready = readinessCheck(runtime.probes, { platforms: () => health.snapshot() });
    const server = await startHttpServer({
      port: config.server.port, host: config.server.host, frameAncestors: config.server.frameAncestors, services, metrics, logger,
      ...(config.server.token ? { token: config.server.token } : {}),
      ...(o.web ? { extraHandler: webChat(config, services, logger) } : {}),
      insights: (since) => loadInsights(config, { since }),
      // Not ready once shutting down, so a load balancer stops sending traffic first.
      ready: async () => (shutdown.shuttingDown ? { ok: false, checks: { shuttingDown: true } } : ready()),
    });
    logger.info({ url: server.url, webChat: o.web ? `${server.url}/` : 'off' }, 'status page (/status) and health endpoints');
    servers.push({ name: 'HTTP server', stop: () => server.close() });
  }
  if (config.discord.token) adapters.push(await discordAdapter(config, services, logger, health));
  if (config.slack.botToken) adapters.push(await slackAdapter(config, services, logger, health));
  try {
    const started = await startPlatforms(adapters, logger, { web: o.web });
    const { documents } = await runtime.services.status();
    logger.info({ platforms: [...started, ...(o.web ? ['web chat'] : [])], documents, backends: resolveChain(config) }, 'Docent is running; Ctrl-C stops it');
    await shutdown.signalled;
  } finally {
    // --- graceful shutdown: first stop taking questions (each adapter lets answers in progress finish, up to
    // 5 s), then the reindex schedule, the embedder and Chroma. The signal listeners stay until this ends.
    await shutdown.run([
      [...adapters, ...servers].map((a) => ({ name: a.name, stop: () => a.stop() })),
      { name: 'runtime (reindex schedule, embedder, Chroma)', stop: () => runtime.close() },
    ]);
    restoreSignals();
  }
}

/** Discord, loaded only when configured (discord.js is large). */
async function discordAdapter(config: DocentConfig, services: DocentServices, logger: Logger, health: PlatformHealth): Promise<PlatformRunner> {
  const { createDiscordAdapter } = await import('../adapters/discord/index.js');
  const d = config.discord;
  const report = health.track('Discord');
  // Replicas sharing a Chroma server open one gateway session per token, the lease holder's (discord-gateway-lease.ts).
  const discord = discordRunner(config, logger, report, (onState) => createDiscordAdapter({
    token: d.token, services, commands: commandList, logger, onState,
    settings: { editIntervalMs: d.editIntervalMs, historyMessages: d.historyMessages },
    ...(d.apiUrl ? { restApi: d.apiUrl } : {}),
    // A new bot gets its slash commands without a separate deploy step; written only when they differ.
    registerCommands: d.guildId ? { guildId: d.guildId } : {},
  }));
  return { name: 'Discord', report, start: () => discord.start(), stop: () => discord.stop() };
}

/** Slack, loaded only when configured. */
async function slackAdapter(config: DocentConfig, services: DocentServices, logger: Logger, health: PlatformHealth): Promise<PlatformRunner> {
  const { createSlackAdapter } = await import('../adapters/slack/index.js');
  const sl = config.slack;
  const slack = createSlackAdapter({
    botToken: sl.botToken, mode: sl.mode, port: sl.port, services, commands: commandList, logger,
    ...(sl.appToken ? { appToken: sl.appToken } : {}),
    ...(sl.signingSecret ? { signingSecret: sl.signingSecret } : {}),
    ...(sl.apiUrl ? { slackApiUrl: sl.apiUrl } : {}),
    settings: { streaming: sl.streaming, updateIntervalMs: sl.updateIntervalMs, historyMessages: sl.historyMessages },
    // Replicas on one Chroma server answer each message once, wherever Slack's retry lands.
    ...(config.chroma.url ? { replicaClaims: createChromaClaims({ ...config.chroma, logger }) } : {}),
  });
  return { name: 'Slack', report: health.track('Slack'), start: () => slack.start(), stop: () => slack.stop() };
}

/** The web chat: the page at `/` and its API under /api/ (src/server/web-chat). */
function webChat(config: DocentConfig, services: DocentServices, logger: Logger) {
  const w = config.web;
  return createWebChat({
    api: {
      services, logger, rate: { perMinute: w.ratePerMinute, burst: w.rateBurst }, trustProxyHops: w.trustProxyHops,
      ...(w.token ? { token: w.token } : {}),
      ...(w.corsOrigin ? { corsOrigin: w.corsOrigin } : {}),
    },
    page: {
      title: 'Docent', catalogName: config.answer.catalogName, frameAncestors: config.server.frameAncestors,
      // Only the extractive backend in the chain: the page says answers are quoted excerpts, and how to change that.
      excerptsOnly: resolveChain(config).every((b) => b === 'extractive'),
    },
  });
}
