import { once } from 'node:events';
import { Client, Events, GatewayCloseCodes, GatewayIntentBits, RESTEvents, type Interaction, type Message } from 'discord.js';
import type { DocentServices } from '../../../commands/services.js';
import type { CommandDefinition } from '../../../commands/types.js';
import type { Logger } from '../../logging/logger.js';
import { handleCommand } from './command-handler.js';
import { handleFeedbackClick, parseFeedbackId } from './feedback.js';
import { exemptInteractionRoutes } from './interaction-rest.js';
import { handleMessage } from './message-handler.js';
import { noMentions } from './sanitize.js';
import { syncCommands } from './sync-commands.js';
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
    /**
     * How long after an interaction its reply stops using the interaction token and continues by bot token
     * (default 14 minutes of Discord's 15; tests scale it down with the fake's token lifetime).
     */
    tokenHandoffMs?: number;
  };
  /** REST base URL, e.g. the fake Discord's `http://127.0.0.1:PORT/api` in tests; default discord.com. */
  restApi?: string;
  /** How long `start()` waits for the gateway's READY (default 30 s). */
  readyTimeoutMs?: number;
  /**
   * Told of connection changes after `start()` resolved (the gateway dropped and discord.js reconnects; it
   * resumed; it gave up), for `/readyz`. `start()` itself resolves or rejects: its caller records that.
   */
  onState?: (state: 'connected' | 'reconnecting' | 'failed', reason?: string) => void;
  /**
   * Register the slash commands at start when Discord's differ (see sync-commands.ts): in this guild, or
   * globally without one. Omitted: never touch the registered commands.
   */
  registerCommands?: { guildId?: string };
}

export interface DiscordAdapter {
  /**
   * Logs in and resolves once the gateway session is ready. If Discord refuses the Message Content intent
   * (close code 4014), it warns once and connects again without it (see INTENT_REFUSED_WARNING).
   */
  start(): Promise<void>;
  /** Lets answers in progress finish (up to a few seconds), then closes the gateway. */
  stop(): Promise<void>;
  /** The current discord.js client (a new one replaces it when `start()` retries without Message Content). */
  readonly client: Client;
}

/** How long `stop()` waits for handlers in progress before closing anyway. */
const STOP_GRACE_MS = 5000;

/**
 * Without the privileged Message Content intent Discord still delivers the text of messages that @mention the
 * app, DMs with it, its own messages and the target of a message context-menu command; every other message
 * arrives with empty content, embeds, attachments and components (gateway and REST alike):
 * https://discord.com/developers/docs/events/gateway#message-content-intent
 * Docent reads no DMs, so what is lost is follow-ups in its threads that do not @mention it, and the text of
 * such messages in thread history. Slash commands carry their options in the interaction and need no intent.
 */
const INTENT_REFUSED_WARNING =
  'Discord refused the privileged Message Content intent (close code 4014: not enabled for this app in the Developer Portal, ' +
  'or not approved); connected without it. Slash commands (/ask …) and @mentions of the bot still work; follow-ups in its ' +
  'threads that do not @mention it are ignored, because Discord delivers them without text. To restore them, enable ' +
  '"Message Content Intent" under Bot → Privileged Gateway Intents in the Discord Developer Portal and restart.';

/**
 * Gateway close codes after which discord.js does not reconnect (authentication failed, invalid shard, sharding
 * required, invalid API version, invalid or disallowed intents): https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes
 */
const FATAL_CLOSE_CODES = new Set([4004, 4010, 4011, 4012, 4013, 4014]);

const BASE_INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages];
const ALL_INTENTS = [...BASE_INTENTS, GatewayIntentBits.MessageContent];

/**
 * True when a failed login was Discord closing the gateway with 4014 (disallowed intents). discord.js 14
 * emits `shardDisconnect` with the close code first, then rejects `login()` with a plain
 * `Error('Used disallowed intents')` (from @discordjs/ws, no code property); either is enough.
 */
function isDisallowedIntents(err: unknown, closeCode: number | undefined): boolean {
  if (closeCode === GatewayCloseCodes.DisallowedIntents) return true;
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === GatewayCloseCodes.DisallowedIntents || (typeof e?.message === 'string' && /disallowed intents/i.test(e.message));
}

/**
 * The Discord surface: slash commands from the platform-neutral definitions, @mentions and thread
 * follow-ups, feedback buttons. It only translates between Discord and Docent's services.
 *
 * Intents: Guilds (channels and threads in the cache), GuildMessages (mentions, thread messages) and the
 * privileged MessageContent — without it the text of thread follow-ups that do not @mention the bot arrives
 * empty (see INTENT_REFUSED_WARNING). Slash commands need none of them. When Discord refuses MessageContent,
 * `start()` connects again with the other two.
 */
export function createDiscordAdapter(deps: DiscordAdapterDeps): DiscordAdapter {
  const logger = deps.logger.child({ platform: 'discord' });
  const commands = new Map(deps.commands.map((c) => [c.name, c]));
  const memory = new AnswerMemory();
  const shared = {
    services: deps.services, logger, editIntervalMs: deps.settings.editIntervalMs, memory,
    ...(deps.settings.tokenHandoffMs !== undefined ? { tokenHandoffMs: deps.settings.tokenHandoffMs } : {}),
  };
  const running = new Set<Promise<void>>();
  let started = false;

  /** Runs a handler, keeps it tracked for `stop()`, and makes sure no rejection escapes as unhandled. */
  const track = (what: string, work: () => Promise<void>): void => {
    const p = work()
      .catch((err: unknown) => logger.error({ err, what }, 'discord handler failed'))
      .finally(() => running.delete(p));
    running.add(p);
  };

  const createClient = (intents: GatewayIntentBits[]): Client => {
    const c = new Client({
      intents,
      // The default for every payload; each send and edit also sets it explicitly (see outgoing.ts).
      allowedMentions: noMentions(),
      ...(deps.restApi ? { rest: { api: deps.restApi } } : {}),
    });
    // Interaction replies are outside Discord's global limit; keep them outside discord.js's cap too.
    exemptInteractionRoutes(c.rest, () => c.application?.id ?? c.user?.id);
    c.on(Events.InteractionCreate, (interaction: Interaction) => {
      if (interaction.isChatInputCommand()) track('command', () => handleCommand(interaction, { ...shared, commands }));
      else if (interaction.isButton() && parseFeedbackId(interaction.customId)) track('feedback', () => handleFeedbackClick(interaction, deps.services, logger));
    });
    c.on(Events.MessageCreate, (message: Message) => {
      track('message', () => handleMessage(message, { ...shared, historyMessages: deps.settings.historyMessages }));
    });

    // Connection health and rate limits go to the log; discord.js's own `debug` stream is not forwarded.
    c.on(Events.Warn, (msg) => logger.warn({ detail: msg }, 'discord.js warning'));
    c.on(Events.Error, (err) => logger.error({ err }, 'discord.js error'));
    c.on(Events.ShardDisconnect, (ev, shard) => {
      if (ev.code !== GatewayCloseCodes.DisallowedIntents) logger.warn({ code: ev.code, shard }, 'gateway disconnected');
      // At login `start()` handles it; later (the intent revoked, then a re-identify) discord.js gives up for good.
      else if (started) logger.error({ code: ev.code, shard }, 'Discord refused the Message Content intent on re-identify; the gateway will not reconnect — restart Docent');
    });
    c.on(Events.ShardResume, (shard, replayed) => logger.info({ shard, replayed }, 'gateway session resumed'));
    c.on(Events.ShardReconnecting, (shard) => logger.info({ shard }, 'gateway reconnecting'));
    // Readiness follows the gateway once started (before that, start()'s outcome is the state).
    c.on(Events.ShardDisconnect, (ev) => {
      if (started) deps.onState?.(FATAL_CLOSE_CODES.has(ev.code) ? 'failed' : 'reconnecting', `gateway closed with code ${ev.code}`);
    });
    c.on(Events.ShardReconnecting, () => started && deps.onState?.('reconnecting', 'gateway reconnecting'));
    c.on(Events.ShardResume, () => started && deps.onState?.('connected'));
    c.on(Events.ShardReady, () => started && deps.onState?.('connected'));
    c.on(Events.Invalidated, () => started && deps.onState?.('failed', 'session invalidated'));
    c.rest.on(RESTEvents.RateLimited, (info) =>
      logger.info({ route: info.route, method: info.method, retryAfterMs: info.retryAfter, global: info.global }, 'rate limited; discord.js waits'),
    );
    return c;
  };
  let client = createClient(ALL_INTENTS);

  /** Logs `c` in and waits for READY; a refusal of the intents rejects with `intentsRefused` set. */
  const connect = async (c: Client): Promise<void> => {
    const ready = once(c, Events.ClientReady);
    const timeout = deps.readyTimeoutMs ?? 30_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let closeCode: number | undefined;
    const onDisconnect = (ev: { code: number }) => (closeCode = ev.code);
    c.on(Events.ShardDisconnect, onDisconnect);
    try {
      await c.login(deps.token).catch((err: unknown) => {
        throw isDisallowedIntents(err, closeCode) ? Object.assign(new Error('Discord refused the requested gateway intents (4014)', { cause: err }), { intentsRefused: true }) : err;
      });
      await Promise.race([
        ready,
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`Discord gateway not ready after ${timeout} ms`)), timeout))),
      ]);
    } finally {
      clearTimeout(timer);
      c.off(Events.ShardDisconnect, onDisconnect);
    }
  };

  return {
    get client() {
      return client;
    },
    async start() {
      let messageContent = true;
      try {
        await connect(client);
      } catch (err) {
        if (!(err as { intentsRefused?: boolean }).intentsRefused) throw err;
        // discord.js has destroyed the refused client (login() does on failure); a new one asks for less.
        logger.warn({ code: GatewayCloseCodes.DisallowedIntents, docs: 'https://discord.com/developers/docs/events/gateway#message-content-intent' }, INTENT_REFUSED_WARNING);
        messageContent = false;
        client = createClient(BASE_INTENTS);
        await connect(client);
      }
      started = true;
      logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size, commands: commands.size, messageContent }, 'connected to Discord');
      const applicationId = client.application?.id;
      if (deps.registerCommands && applicationId) {
        // A failure here leaves whatever was registered before: worth a warning, not a reason to stop serving.
        const guildId = deps.registerCommands.guildId;
        await syncCommands({ rest: client.rest, applicationId, commands: deps.commands, ...(guildId ? { guildId } : {}) })
          .then((r) => logger.info({ scope: r.scope, guildId, changed: r.changed, commands: r.names }, r.changed ? 'slash commands registered' : 'slash commands already up to date'))
          .catch((err: unknown) => logger.warn({ err, guildId }, 'could not register the slash commands; run `docent discord deploy-commands` to see why'));
      }
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
