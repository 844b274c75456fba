import type { Command } from 'commander';
import { commandList } from '../../../commands/index.js';
import { createMetrics, createWebChat, instrumentServices, PlatformHealth, readinessCheck, startHttpServer } from '../../server/index.js';
import { ConfigError } from '../../core/errors.js';
import { runConsoleChat } from '../../adapters/console/console-chat.js';
import { resolveChain } from '../../runtime/generators.js';
import { openRuntime } from '../../runtime/docent-runtime.js';
import { createGracefulShutdown } from '../../runtime/shutdown.js';
import type { DocentServices } from '../../../commands/services.js';
import type { DocentConfig } from '../../../config/schema.js';
import type { Logger } from '../../logging/logger.js';
import { cliContext, type GlobalOptions } from '../context.js';
import { formatSummary } from './index-command.js';
import { progressReporter } from '../progress.js';
import { startPlatforms, type PlatformRunner } from '../start-platforms.js';
import { loadInsights } from '../../insights/load-insights.js';
import { discordRunner } from '../../runtime/discord-gateway-lease.js';
import { createChromaClaims } from '../../stores/chroma-lease.js';
import { readinessProbes } from '../../runtime/readiness-probes.js';

/**
 * `docent start` — the main job: the configured chat platforms and/or the web chat API (WEB_CHAT=on, `--web`, or
 * the Space profile: SPACE_ID set), or the terminal chat when neither is configured (the zero-config default, and
 * what `npm start` / `echo question | npm start` runs). `docent chat` — always the terminal chat.
 */
export function registerChatCommands(program: Command): void {
  program
    .command('chat')
    .description('Chat with the catalog in the terminal (indexes the configured sources first when there is no index)')
    .action(async (_opts: unknown, cmd: Command) => chat(cmd));
  program
    .command('start')
    .description('Start Docent: the configured chat platforms and the web chat (if on), or the terminal chat when neither is configured')
    .option('--web', 'serve the web chat (page and API) on HTTP_PORT (as WEB_CHAT=on does), with or without a chat platform')
    .action(async (opts: { web?: boolean }, cmd: Command) => {
      // Only to choose; the branch taken builds its own logger (a file on a terminal chat, stderr for a service).
      const { config } = cliContext(cmd.optsWithGlobals<GlobalOptions>(), {}, 'service');
      const web = opts.web === true || config.web.chat === 'on';
      if (config.discord.token || config.slack.botToken || web) await servePlatforms(cmd, { web });
      else await chat(cmd);
    });
}

/**
 * Runs the configured platform adapters and (with `web`) the web chat API until SIGINT/SIGTERM, then stops them
 * and the runtime cleanly. With the web chat and no platform it serves HTTP only, and never reads stdin.
 */
async function servePlatforms(cmd: Command, o: { web: boolean }): Promise<void> {
  // A service: its logs stay on stderr (JSON, or pretty on a TTY) for the operator, TTY or not.
  const { config, logger } = cliContext(cmd.optsWithGlobals<GlobalOptions>(), {}, 'service');
  if (o.web && config.server.port === 0) throw new ConfigError('HTTP_PORT', 'must not be 0 while the web chat is on (WEB_CHAT=on, --web, or the Space profile)', 'Set HTTP_PORT (7860 by default) or WEB_CHAT=off.');
  // Graceful shutdown (src/runtime/shutdown.ts): listening from here, so a signal during start-up is not lost;
  // from the first signal the process exits within 10 s whatever still runs, and a second signal exits at once.
  const shutdown = createGracefulShutdown({ logger });
  const runtime = await openRuntime(config, logger, { indexIfEmpty: true, schedule: true, onIndexed: (s) => logger.info({ documents: s.documents, chunks: s.chunks, skipped: s.skipped.length }, 'indexed') }).catch((err: unknown) => {
    shutdown.dispose();
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
    const ready = readinessCheck(readinessProbes(runtime), { platforms: () => health.snapshot() });
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
  if (config.discord.token) {
    const { createDiscordAdapter } = await import('../../adapters/discord/index.js');
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
    adapters.push({ name: 'Discord', report, start: () => discord.start(), stop: () => discord.stop() });
  }
  if (config.slack.botToken) {
    const { createSlackAdapter } = await import('../../adapters/slack/index.js');
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
    adapters.push({ name: 'Slack', report: health.track('Slack'), start: () => slack.start(), stop: () => slack.stop() });
  }
  try {
    const started = await startPlatforms(adapters, logger, { web: o.web });
    logger.info({ platforms: [...started, ...(o.web ? ['web chat'] : [])], documents: runtime.search.manifest.documents, backends: resolveChain(config) }, 'Docent is running; Ctrl-C stops it');
    await shutdown.signalled;
  } finally {
    // --- graceful shutdown: first stop taking questions (each adapter lets answers in progress finish, up to
    // 5 s), then the reindex schedule, the embedder and Chroma. The signal listeners stay until this ends.
    await shutdown.run([
      [...adapters, ...servers].map((a) => ({ name: a.name, stop: () => a.stop() })),
      { name: 'runtime (reindex schedule, embedder, Chroma)', stop: () => runtime.close() },
    ]);
  }
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

async function chat(cmd: Command): Promise<void> {
  const { config, logger } = cliContext(cmd.optsWithGlobals<GlobalOptions>());
  const progress = progressReporter();
  const runtime = await openRuntime(config, logger, {
    indexIfEmpty: true,
    ...(progress.onProgress ? { onIndexProgress: progress.onProgress } : {}),
    onIndexed: (s) => {
      progress.stop();
      process.stderr.write(formatSummary(s));
    },
  });
  try {
    const m = runtime.search.manifest;
    const chain = resolveChain(config).map((b) => (b === 'extractive' ? 'excerpts (no LLM)' : b)).join(' → ');
    const banner =
      `Docent — ${m.documents} documents, ${m.chunks} chunks (index v${m.version}, ${m.embedder.id}). Answers: ${chain}.\n` +
      'Ask a question; follow-ups keep the context. :help lists commands; Ctrl-D or :quit to leave.';
    await runConsoleChat({ services: runtime.services, commands: commandList, input: process.stdin, output: process.stdout, logger, banner, historyTurns: config.answer.historyTurns });
  } finally {
    await runtime.close();
  }
}
