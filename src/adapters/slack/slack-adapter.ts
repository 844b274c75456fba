import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { DocentServices } from '../../../commands/services.js';
import type { CommandDefinition } from '../../../commands/types.js';
import { DocentError } from '../../core/errors.js';
import type { Logger } from '../../logging/logger.js';
import { FEEDBACK_ACTION } from './blocks.js';
import { boltLogger } from './bolt-logger.js';
import { handleSlashCommand, SLASH_COMMAND } from './command-handler.js';
import { handleFeedbackClick } from './feedback.js';
import { onAppMention, onMessage, type ConversationDeps, type IncomingMessage } from './message-handler.js';
import { RateBudget, SLACK_TIERS, type Tier } from './rate-budget.js';
import { RecentKeys } from './recent-keys.js';
import { dropReplays, guardHttpReceiver, ReplayGuard, replayMarker } from './replay-guard.js';
import { SlackCalls } from './slack-calls.js';
import { StreamingChoice } from './stream-answer.js';
import { ThreadCache } from './thread-cache.js';
import type { BotIdentity } from './thread-history.js';

export interface SlackAdapterDeps {
  botToken: string;
  /** App-level token (xapp-…), required for Socket Mode. */
  appToken?: string;
  /** Required for HTTP mode: every request's signature is verified with it. */
  signingSecret?: string;
  mode: 'socket' | 'http';
  /** HTTP mode: where /slack/events listens (0: any free port, see `address()`). */
  port: number;
  services: DocentServices;
  commands: CommandDefinition[];
  logger: Logger;
  settings: {
    /** native: chat.*Stream; update: placeholder + chat.update; auto: native where Slack allows it. */
    streaming: 'auto' | 'native' | 'update';
    /** Minimum time between appends/updates of one streaming answer. */
    updateIntervalMs: number;
    /** Thread messages read as history for a follow-up. */
    historyMessages: number;
  };
  /** Web API base URL, e.g. the fake Slack's in tests; default https://slack.com/api/. */
  slackApiUrl?: string;
  /** Socket Mode ping timeout, which is also its reconnect back-off step (default 5000 ms; tests shorten it). */
  socketPingTimeoutMs?: number;
  /**
   * Slack's rate tiers as the shared budget counts them (default SLACK_TIERS, Slack's published ones). Tests
   * that run a fake Slack with faster windows pass the same numbers here.
   */
  rateTiers?: Readonly<Record<string, Tier>>;
  /**
   * Claims shared by the replicas serving this workspace (the Chroma server's, src/stores/chroma-lease.ts), so
   * a message is answered by one replica even when Slack's retry reaches another. Omitted: one process.
   */
  replicaClaims?: { claim(key: string, ttlMs: number): Promise<boolean> };
}

export interface SlackAdapter {
  /** Verifies the token, then connects (Socket Mode) or listens (HTTP). */
  start(): Promise<void>;
  /** Stops receiving, lets answers in progress finish (up to a few seconds), then returns. */
  stop(): Promise<void>;
  app: App;
  /** HTTP mode: the address listened on once started. */
  address(): AddressInfo | undefined;
}

/** How long `stop()` waits for handlers in progress. */
const STOP_GRACE_MS = 5000;

/**
 * The Slack surface: @mentions and thread follow-ups, DMs, `/docent <command>`, feedback buttons — over
 * Socket Mode (no public URL; good for a Space) or HTTP (Events API + slash command + interactivity on one
 * `/slack/events` endpoint, signatures verified by Bolt's HTTPReceiver: a bad or stale one gets 401, and an exact
 * replay of a verified request inside Slack's 5-minute window is dropped — see replay-guard.ts).
 *
 * Acks: Bolt acknowledges every Events API delivery itself before any listener runs (App.processEvent calls
 * ack() first for events, in both transports); the command and action listeners call ack() first. Listeners
 * hand the real work to `track`, so nothing waits on an answer before acknowledging.
 *
 * Rate limits: Slack counts calls per method per workspace, so every answer's calls go through one shared
 * budget (rate-budget.ts, slack-calls.ts): live edits take a free token or skip, the calls that must happen
 * wait their turn (an answer's final update first) and retry a 429 after its Retry-After. The web client is
 * created with `rejectRateLimitedCalls: true`, because its own handling pauses its whole queue on any 429 and
 * gives up after its retries — which dropped final updates.
 */
export function createSlackAdapter(deps: SlackAdapterDeps): SlackAdapter {
  const logger = deps.logger.child({ platform: 'slack' });
  const blog = boltLogger(logger);
  const apiUrl = deps.slackApiUrl ? { slackApiUrl: deps.slackApiUrl } : {};
  const receiver = createReceiver(deps, blog, apiUrl);
  const app = new App({
    token: deps.botToken,
    receiver,
    logger: blog,
    clientOptions: {
      ...apiUrl,
      rejectRateLimitedCalls: true,
      // A chat answer is worth little after a minute: a few quick retries for network errors (429s are ours:
      // slack-calls.ts), not the default thirty minutes.
      retryConfig: { retries: 5, factor: 2, minTimeout: 200, maxTimeout: 4000, randomize: true },
      timeout: 30_000,
    },
  });

  const running = new Set<Promise<void>>();
  const track = (what: string, work: () => Promise<void>): void => {
    const p = work()
      .catch((err: unknown) => logger.error({ err, what }, 'slack handler failed'))
      .finally(() => running.delete(p));
    running.add(p);
  };
  const bot: BotIdentity = { userId: undefined, botId: undefined };
  const streaming = new StreamingChoice(deps.settings.streaming);
  const ourThreads = new RecentKeys({ ttlMs: 7 * 24 * 3600_000, max: 20_000 });
  // One process, one bot token, one workspace: one budget and one thread cache for every answer.
  const calls = new SlackCalls(app.client, new RateBudget(deps.rateTiers ?? SLACK_TIERS), logger);
  const threads = new ThreadCache();
  const conversation: ConversationDeps = {
    services: deps.services, logger, streaming, intervalMs: deps.settings.updateIntervalMs, historyMessages: deps.settings.historyMessages,
    bot, seen: new RecentKeys({ max: 100_000 }), ourThreads, notOurs: new RecentKeys({ ttlMs: 60_000, max: 5000 }), track, calls, threads,
    ...(deps.replicaClaims ? { replicas: deps.replicaClaims } : {}),
  };
  const commandDeps = {
    services: deps.services, commands: new Map(deps.commands.map((c) => [c.name, c])), logger, streaming, intervalMs: deps.settings.updateIntervalMs, ourThreads,
    calls, threads,
  };

  app.event('app_mention', async ({ event, body }) => onAppMention(event as unknown as IncomingMessage, body.event_id, conversation));
  app.event('message', async ({ event, body }) => onMessage(event as unknown as IncomingMessage, body.event_id, conversation));
  app.command(SLASH_COMMAND, async ({ command, ack, respond }) => {
    await ack();
    track('command', () => handleSlashCommand(command, respond, commandDeps));
  });
  app.action(FEEDBACK_ACTION, async ({ ack, body, action }) => {
    await ack();
    const b = body as { user: { id: string }; channel?: { id?: string }; container?: { channel_id?: string; thread_ts?: string }; message?: { ts?: string; thread_ts?: string } };
    const click = {
      actionId: (action as { action_id: string }).action_id,
      userId: b.user.id,
      channel: b.channel?.id ?? b.container?.channel_id,
      threadTs: b.message?.thread_ts ?? b.container?.thread_ts ?? b.message?.ts,
    };
    track('feedback', () => handleFeedbackClick(click, calls, deps.services, logger));
  });
  // HTTP mode: replays are dropped before any listener (the mark comes from the receiver, see createReceiver).
  if (deps.mode === 'http') dropReplays(app, logger);
  app.error(async (err) => {
    logger.error({ err }, 'bolt could not process a delivery');
  });

  let server: Server | undefined;
  return {
    app,
    address: () => (server?.address() as AddressInfo | null) ?? undefined,
    async start() {
      const auth = await app.client.auth.test().catch((err: unknown) => {
        throw new DocentError('slack_auth_failed', 'config', `Slack rejected the bot token (${(err as Error).message})`, { cause: err });
      });
      bot.userId = auth.user_id;
      bot.botId = auth.bot_id;
      calls.team = auth.team_id;
      const started: unknown = deps.mode === 'http' ? await app.start(deps.port) : await app.start();
      if (deps.mode === 'http') server = started as Server;
      logger.info({ mode: deps.mode, botUserId: bot.userId, team: auth.team, streaming: deps.settings.streaming, port: server ? (server.address() as AddressInfo).port : undefined }, 'connected to Slack');
    },
    async stop() {
      // Socket Mode: Bolt's receiver.stop() does not wait for the close handshake; awaiting the client's own
      // disconnect does, so nothing is left running after stop() (bounded, should Slack not answer).
      const stopping = receiver instanceof SocketModeReceiver ? receiver.client.disconnect() : app.stop();
      await Promise.race([stopping, new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]).catch((err: unknown) =>
        logger.warn({ err }, 'stopping the Slack receiver failed'),
      );
      if (running.size) await Promise.race([Promise.allSettled([...running]), new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
      logger.info('disconnected from Slack');
    },
  };
}

/** Socket Mode (logs its reconnects; reconnecting is the socket-mode client's job) or the signed HTTP endpoint. */
function createReceiver(deps: SlackAdapterDeps, blog: ReturnType<typeof boltLogger>, apiUrl: { slackApiUrl?: string }): Receiver {
  const logger = deps.logger.child({ platform: 'slack' });
  if (deps.mode === 'http') {
    if (!deps.signingSecret) throw new DocentError('slack_config', 'config', 'slack.signingSecret (SLACK_SIGNING_SECRET) is required for SLACK_MODE=http');
    const guard = new ReplayGuard();
    const receiver = new HTTPReceiver({
      signingSecret: deps.signingSecret, endpoints: '/slack/events', port: deps.port, logger: blog, processBeforeResponse: false,
      customPropertiesExtractor: replayMarker(guard),
    });
    guardHttpReceiver(receiver, guard, logger);
    return receiver;
  }
  if (!deps.appToken) throw new DocentError('slack_config', 'config', 'slack.appToken (SLACK_APP_TOKEN, xapp-…) is required for Socket Mode; or set SLACK_MODE=http');
  const receiver = new SocketModeReceiver({
    appToken: deps.appToken,
    logger: blog,
    // A fresh object: the socket-mode client adds its own retry policy for apps.connections.open to it.
    installerOptions: { clientOptions: { ...apiUrl } },
    ...(deps.socketPingTimeoutMs ? { clientPingTimeout: deps.socketPingTimeoutMs } : {}),
  });
  let connects = 0;
  receiver.client.on('connected', () => logger.info({ reconnect: connects++ > 0 }, connects > 1 ? 'socket mode reconnected' : 'socket mode connected'));
  receiver.client.on('reconnecting', () => logger.warn('socket mode connection lost; reconnecting'));
  receiver.client.on('disconnected', () => logger.info('socket mode disconnected'));
  return receiver;
}
