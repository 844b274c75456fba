import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, RESTEvents, type Interaction, type Message } from 'discord.js';
import type { DocentServices } from '../../../commands/services.js';
import type { CommandDefinition } from '../../../commands/types.js';
import type { Logger } from '../../logging/logger.js';
import { handleCommand } from './command-handler.js';
import { handleFeedbackClick, parseFeedbackId } from './feedback.js';
import { handleMessage } from './message-handler.js';
import { noMentions } from './sanitize.js';
import { AnswerMemory } from './thread-history.js';

export interface DiscordAdapterDeps {
  token: string;
  services: DocentServices;
  commands: CommandDefinition[];
  logger: Logger;
  settings: {
    /** Minimum time between edits of a streaming message (Discord asks for about one a second). */
    editIntervalMs: number;
    /** Thread messages read as history for a follow-up. */
    historyMessages: number;
  };
  /** REST base URL, e.g. the fake Discord's `http://127.0.0.1:PORT/api` in tests; default discord.com. */
  restApi?: string;
  /** How long `start()` waits for the gateway's READY (default 30 s). */
  readyTimeoutMs?: number;
}

export interface DiscordAdapter {
  /** Logs in and resolves once the gateway session is ready. */
  start(): Promise<void>;
  /** Lets answers in progress finish (up to a few seconds), then closes the gateway. */
  stop(): Promise<void>;
  client: Client;
}

/** How long `stop()` waits for handlers in progress before closing anyway. */
const STOP_GRACE_MS = 5000;

/**
 * The Discord surface: slash commands from the platform-neutral definitions, @mentions and thread
 * follow-ups, feedback buttons. It only translates between Discord and Docent's services.
 *
 * Intents: Guilds (channels and threads in the cache), GuildMessages (mentions, thread messages) and the
 * privileged MessageContent — without it the text of thread follow-ups arrives empty. Slash commands need
 * none of them.
 */
export function createDiscordAdapter(deps: DiscordAdapterDeps): DiscordAdapter {
  const logger = deps.logger.child({ platform: 'discord' });
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    // The default for every payload; each send and edit also sets it explicitly (see outgoing.ts).
    allowedMentions: noMentions(),
    ...(deps.restApi ? { rest: { api: deps.restApi } } : {}),
  });
  const commands = new Map(deps.commands.map((c) => [c.name, c]));
  const memory = new AnswerMemory();
  const shared = { services: deps.services, logger, editIntervalMs: deps.settings.editIntervalMs, memory };
  const running = new Set<Promise<void>>();

  /** Runs a handler, keeps it tracked for `stop()`, and makes sure no rejection escapes as unhandled. */
  const track = (what: string, work: () => Promise<void>): void => {
    const p = work()
      .catch((err: unknown) => logger.error({ err, what }, 'discord handler failed'))
      .finally(() => running.delete(p));
    running.add(p);
  };

  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    if (interaction.isChatInputCommand()) track('command', () => handleCommand(interaction, { ...shared, commands }));
    else if (interaction.isButton() && parseFeedbackId(interaction.customId)) track('feedback', () => handleFeedbackClick(interaction, deps.services, logger));
  });
  client.on(Events.MessageCreate, (message: Message) => {
    track('message', () => handleMessage(message, { ...shared, historyMessages: deps.settings.historyMessages }));
  });

  // Connection health and rate limits go to the log; discord.js's own `debug` stream is not forwarded.
  client.on(Events.Warn, (msg) => logger.warn({ detail: msg }, 'discord.js warning'));
  client.on(Events.Error, (err) => logger.error({ err }, 'discord.js error'));
  client.on(Events.ShardDisconnect, (ev, shard) => logger.warn({ code: ev.code, shard }, 'gateway disconnected'));
  client.on(Events.ShardResume, (shard, replayed) => logger.info({ shard, replayed }, 'gateway session resumed'));
  client.on(Events.ShardReconnecting, (shard) => logger.info({ shard }, 'gateway reconnecting'));
  client.rest.on(RESTEvents.RateLimited, (info) =>
    logger.info({ route: info.route, method: info.method, retryAfterMs: info.retryAfter, global: info.global }, 'rate limited; discord.js waits'),
  );

  return {
    client,
    async start() {
      const ready = once(client, Events.ClientReady);
      const timeout = deps.readyTimeoutMs ?? 30_000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await client.login(deps.token);
        await Promise.race([
          ready,
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`Discord gateway not ready after ${timeout} ms`)), timeout))),
        ]);
      } finally {
        clearTimeout(timer);
      }
      logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size, commands: commands.size }, 'connected to Discord');
    },
    async stop() {
      if (running.size) {
        await Promise.race([Promise.allSettled([...running]), new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
      }
      await client.destroy();
      logger.info('disconnected from Discord');
    },
  };
}
