/**
 * A loopback Discord for tests: REST (`restUrl`, for `new Client({ rest: { api: restUrl } })`) and the
 * gateway on one port, driven by the real discord.js client. The test plays the users (slash commands,
 * button clicks, channel messages) and asserts on what the platform holds afterwards (`state`).
 *
 *   const discord = await startFakeDiscord();
 *   const client = new Client({ intents: [...], rest: { api: discord.restUrl } });
 *   await client.login('test-token');
 *   const { token } = discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: 'hi' }] });
 *   await discord.waitFor(() => discord.state.originalContent(token)?.includes('…'));
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway, GATEWAY_PATH } from './gateway.js';
import {
  ALL_PERMISSIONS, EVERYONE_PERMISSIONS, Permission, ChannelType, interactionBase, interactionToken, memberObject,
  roleObject, snowflake, textChannelObject, userObject, type Wire,
} from './payloads.js';
import { FakePlatform, type FakeDiscordIds } from './platform.js';
import { GLOBAL_REQUESTS_PER_SEC, RateLimits, type BucketPolicy, type ForcedRateLimit } from './rate-limits.js';
import { createRestHandler } from './rest.js';
import { INTERACTION_TOKEN_LIFETIME_MS, interactionRoutes } from './rest-interactions.js';
import { coreRoutes } from './rest-routes.js';
import { FakeDiscordState, type DispatchRecord, type InteractionRecord } from './state.js';

export { FakeDiscordState, pingTargets } from './state.js';
export type { StoredMessage, InteractionRecord, OutgoingRecord, RateLimitRecord, DispatchRecord } from './state.js';
export type { FakeDiscordIds } from './platform.js';
export type { ForcedRateLimit, BucketPolicy } from './rate-limits.js';
export { Intent, MessageFlag, Permission } from './payloads.js';

export interface StartFakeDiscordOptions {
  botUserId?: string;
  /** Defaults to the bot user id, as for any bot created in the developer portal. */
  applicationId?: string;
  guildId?: string;
  channelId?: string;
  /** The default simulated user. */
  userId?: string;
  /** HELLO's heartbeat interval (Discord sends ~41 s). */
  heartbeatIntervalMs?: number;
  /** When set, other bot tokens get 401 on REST and 4004 on the gateway. */
  token?: string;
  /** False makes IDENTIFY with the MESSAGE_CONTENT intent fail with 4014, like an app without the privileged intent. */
  allowMessageContent?: boolean;
  /** Echo the bot's own messages as MESSAGE_CREATE/UPDATE like Discord does (default true). */
  echoBotMessages?: boolean;
  /** How long after INTERACTION_CREATE the first callback is accepted (Discord: 3000 ms). */
  ackDeadlineMs?: number;
  /**
   * How long an interaction token works on the webhook routes (edits, follow-ups) before they answer 401/50027
   * "Invalid Webhook Token". Discord: 15 minutes. Tests scale it down to seconds.
   */
  interactionTokenLifetimeMs?: number;
  /** The bot's global limit in requests per second (Discord: 50; interaction routes are exempt); 0 turns it off. */
  globalRequestsPerSecond?: number;
  /**
   * What @everyone may do (default: read, write, embed links, attach files, use commands and threads). The bot
   * has no other role, so this is also the bot's permissions and the interactions' `app_permissions`; leave
   * EmbedLinks out to see Discord drop the embeds of the bot's channel messages.
   */
  everyonePermissions?: bigint;
}

export interface SendInteractionOptions {
  /** The slash command's name; its id is taken from the registered commands when there is one. */
  command: string;
  /** Raw interaction options, e.g. `[{ name: 'question', type: 3, value: '…' }]`. */
  options?: Wire[];
  userId?: string;
  /** The invoking member's roles (default: the member role). Use `ids.adminRoleId` for an administrator. */
  roleIds?: string[];
  /** Overrides the member's computed `permissions` (a bitfield as a decimal string or bigint). */
  permissions?: string | bigint;
  channelId?: string;
}

export interface SendButtonOptions {
  customId: string;
  /** The message the button is on (default: the newest stored message carrying a component with `customId`). */
  messageId?: string;
  userId?: string;
  roleIds?: string[];
  /** 2 button (default); 3 string select with `values`. */
  componentType?: number;
  values?: string[];
}

export interface SendMessageOptions {
  content: string;
  authorId?: string;
  /** A text channel or thread id (default: the guild's text channel). */
  channelId?: string;
  /** Adds `<@bot>` to the content when missing, so `mentions` carries the bot. */
  mentionsBot?: boolean;
  /** Makes it a reply (type 19) to this message. */
  replyToMessageId?: string;
}

export interface SentInteraction {
  interactionId: string;
  token: string;
  /** `dispatch.sentAt` is the `performance.now()` it reached the socket (undefined while disconnected). */
  dispatch: DispatchRecord;
  record: InteractionRecord;
}

export interface FakeDiscord {
  restUrl: string;
  gatewayUrl: string;
  ids: FakeDiscordIds;
  state: FakeDiscordState;
  sendInteraction(o: SendInteractionOptions): SentInteraction;
  sendButton(o: SendButtonOptions): SentInteraction;
  sendMessage(o: SendMessageOptions): { messageId: string; content: string; dispatch: DispatchRecord | undefined };
  /** A thread a user created (THREAD_CREATE); the bot's own threads come from its REST calls. */
  createThread(o: { name: string; parentId?: string; ownerId?: string; type?: number }): Wire;
  /** Adds a guild member (idempotent; updates roles when given). Returns the user id. */
  addUser(o?: { id?: string; username?: string; roleIds?: string[] }): string;
  /** Drops the gateway socket (default close code 4000: resumable). `networkDrop` kills TCP without a close frame. */
  disconnect(o?: { code?: number; networkDrop?: boolean }): Promise<void>;
  /** Sends op 7 RECONNECT. */
  requestReconnect(): void;
  /** The next `times` requests matching method + path answer 429 with `retry_after`. */
  rateLimit(o: ForcedRateLimit): void;
  /** Changes one route's bucket (route as the fake spells it, e.g. `/channels/:channel/messages`). */
  setBucketLimit(o: { method: string; route: string } & BucketPolicy): void;
  /** Polls `probe` until it returns a truthy value (default 5 s timeout). */
  waitFor<T>(probe: () => T | undefined | null | false, opts?: { timeoutMs?: number; intervalMs?: number; what?: string }): Promise<T>;
  close(): Promise<void>;
}

const DEFAULTS = { botUserId: '1230000000000000001', guildId: '1230000000000000100', channelId: '1230000000000000200', userId: '1230000000000000300' };

export async function startFakeDiscord(opts: StartFakeDiscordOptions = {}): Promise<FakeDiscord> {
  const botUserId = opts.botUserId ?? DEFAULTS.botUserId;
  const guildId = opts.guildId ?? DEFAULTS.guildId;
  const ids: FakeDiscordIds = {
    botUserId, applicationId: opts.applicationId ?? botUserId, guildId, channelId: opts.channelId ?? DEFAULTS.channelId,
    userId: opts.userId ?? DEFAULTS.userId, everyoneRoleId: guildId, adminRoleId: '1230000000000000401', memberRoleId: '1230000000000000402',
    botRoleId: '1230000000000000403',
  };
  const allowMessageContent = opts.allowMessageContent ?? true;
  const state = new FakeDiscordState();
  state.roles.push(
    roleObject(ids.everyoneRoleId, '@everyone', opts.everyonePermissions ?? EVERYONE_PERMISSIONS, 0),
    roleObject(ids.memberRoleId, 'Member', 0n, 1),
    roleObject(ids.adminRoleId, 'Admin', Permission.Administrator, 2),
    // The bot's managed (integration) role, which Discord creates when a bot joins with permissions: `managed`
    // and `tags.bot_id` (https://discord.com/developers/docs/topics/permissions#role-object-role-tags-structure).
    { ...roleObject(ids.botRoleId, 'docent', 0n, 3), managed: true, tags: { bot_id: botUserId } },
  );
  state.channels.set(ids.channelId, textChannelObject(ids.channelId, guildId, 'general', 0));

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const restUrl = `http://127.0.0.1:${port}/api`;
  const baseWsUrl = `ws://127.0.0.1:${port}`;
  const gatewayUrl = `${baseWsUrl}${GATEWAY_PATH}`;

  let platform: FakePlatform | undefined;
  const gateway = new FakeGateway(state, {
    heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250,
    ...(opts.token !== undefined ? { expectedToken: opts.token } : {}),
    allowMessageContent,
    baseWsUrl,
    guildId,
    readyData: () => ({
      v: 10, user: state.users.get(botUserId), guilds: [{ id: guildId, unavailable: true }], shard: [0, 1],
      application: { id: ids.applicationId, flags: allowMessageContent ? 1 << 19 : 0 },
      private_channels: [], relationships: [], presences: [], guild_join_requests: [], user_settings: {}, session_type: 'normal',
      auth: {}, geo_ordered_rtc_regions: ['fake'], _trace: ['["fake-discord",{"micros":0}]'],
    }),
    guildCreateData: () => platform!.guild(),
    members: () => [...state.members.values()],
  });
  platform = new FakePlatform(state, gateway, ids, opts.echoBotMessages ?? true);
  const p = platform;
  const rateLimits = new RateLimits(state, opts.globalRequestsPerSecond ?? GLOBAL_REQUESTS_PER_SEC);
  server.on('request', createRestHandler({
    platform: p, rateLimits, ...(opts.token !== undefined ? { expectedToken: opts.token } : {}),
    routes: [...interactionRoutes({ ackDeadlineMs: opts.ackDeadlineMs ?? 3000, tokenLifetimeMs: opts.interactionTokenLifetimeMs ?? INTERACTION_TOKEN_LIFETIME_MS }), ...coreRoutes({ gatewayUrl })],
  }));
  server.on('upgrade', (req, socket, head) => {
    if (!gateway.handleUpgrade(req, socket, head)) socket.destroy();
  });

  const joinedAt = new Date().toISOString();
  function addUser(o: { id?: string; username?: string; roleIds?: string[]; bot?: boolean } = {}): string {
    const id = o.id ?? snowflake();
    if (!state.users.has(id)) state.users.set(id, userObject(id, { ...(o.bot ? { bot: true } : {}), ...(o.username ? { username: o.username } : {}) }));
    const member = state.members.get(id);
    if (!member) state.members.set(id, memberObject(state.users.get(id)!, o.roleIds ?? (o.bot ? [] : [ids.memberRoleId]), joinedAt));
    else if (o.roleIds) member['roles'] = o.roleIds;
    return id;
  }
  addUser({ id: botUserId, bot: true, roleIds: [ids.botRoleId] });
  addUser({ id: ids.userId });

  function permissionsOf(roleIds: string[]): bigint {
    let perms = 0n;
    for (const r of state.roles) if (r['id'] === ids.everyoneRoleId || roleIds.includes(String(r['id']))) perms |= BigInt(String(r['permissions']));
    return (perms & Permission.Administrator) !== 0n ? ALL_PERMISSIONS : perms;
  }

  function requireSession(what: string): void {
    if (!gateway.hasSession()) throw new Error(`fake-discord: ${what} before any client identified on the gateway`);
  }

  function dispatchInteraction(record: InteractionRecord, data: Wire, o: { roleIds?: string[]; permissions?: string | bigint; message?: Wire }): SentInteraction {
    const userId = addUser({ id: record.userId, ...(o.roleIds ? { roleIds: o.roleIds } : {}) });
    const member = state.members.get(userId)!;
    const roles = member['roles'] as string[];
    const channel = state.channels.get(record.channelId);
    if (!channel) throw new Error(`fake-discord: unknown channel ${record.channelId}`);
    const payload = {
      ...interactionBase({
        id: record.id, token: record.token, type: record.type, applicationId: ids.applicationId, guildId, channel,
        member: { ...member, permissions: String(o.permissions ?? permissionsOf(roles)) }, appPermissions: String(permissionsOf([])),
      }),
      data,
      ...(o.message ? { message: o.message } : {}),
    };
    state.interactions.set(record.id, record);
    const dispatch = gateway.dispatch('INTERACTION_CREATE', payload)!;
    record.dispatch = dispatch;
    return { interactionId: record.id, token: record.token, dispatch, record };
  }

  return {
    restUrl, gatewayUrl, ids, state, addUser,

    sendInteraction(o) {
      requireSession('sendInteraction');
      const id = snowflake();
      const registered = [...(state.commands.guild[guildId] ?? []), ...state.commands.global].find((c) => c['name'] === o.command);
      const record: InteractionRecord = {
        id, token: interactionToken(id), type: 2, commandName: o.command, channelId: o.channelId ?? ids.channelId,
        userId: o.userId ?? ids.userId, callbacks: [], followUpIds: [],
      };
      const data = {
        id: registered?.['id'] ?? snowflake(), name: o.command, type: 1, options: o.options ?? [],
        ...(registered?.['guild_id'] ? { guild_id: registered['guild_id'] } : {}),
      };
      return dispatchInteraction(record, data, o);
    },

    sendButton(o) {
      requireSession('sendButton');
      const hasButton = (m: Wire) => JSON.stringify(m['components'] ?? []).includes(JSON.stringify(o.customId));
      const message = o.messageId
        ? state.messages.get(o.messageId)
        : [...state.messages.values()].filter((m) => m.deletedAt === undefined && hasButton(m.data)).pop();
      if (!message) throw new Error(`fake-discord: no stored message ${o.messageId ?? `with a component '${o.customId}'`}`);
      const id = snowflake();
      const record: InteractionRecord = {
        id, token: interactionToken(id), type: 3, customId: o.customId, messageId: message.id, channelId: message.channelId,
        userId: o.userId ?? ids.userId, callbacks: [], followUpIds: [],
      };
      const data = { custom_id: o.customId, component_type: o.componentType ?? 2, ...(o.values ? { values: o.values } : {}) };
      return dispatchInteraction(record, data, { ...(o.roleIds ? { roleIds: o.roleIds } : {}), message: message.data });
    },

    sendMessage(o) {
      requireSession('sendMessage');
      if (!state.channels.has(o.channelId ?? ids.channelId)) throw new Error(`fake-discord: unknown channel ${o.channelId}`);
      const authorId = addUser({ id: o.authorId ?? ids.userId });
      const botMention = `<@${botUserId}>`;
      const content = o.mentionsBot && !o.content.includes(botMention) && !o.content.includes(`<@!${botUserId}>`) ? `${botMention} ${o.content}` : o.content;
      const stored = p.createMessage({
        channelId: o.channelId ?? ids.channelId, authorId,
        body: { content, ...(o.replyToMessageId ? { message_reference: { message_id: o.replyToMessageId } } : {}) },
      });
      const dispatch = state.gateway.dispatches.filter((d) => d.t === 'MESSAGE_CREATE' && d.d['id'] === stored.id)[0];
      return { messageId: stored.id, content, dispatch };
    },

    createThread(o) {
      requireSession('createThread');
      const ownerId = addUser({ id: o.ownerId ?? ids.userId });
      return p.createThread({ parentId: o.parentId ?? ids.channelId, name: o.name, ownerId, type: o.type ?? ChannelType.PublicThread, autoArchiveDuration: 1440 });
    },

    disconnect: (o) => gateway.disconnect(o),
    requestReconnect: () => gateway.requestReconnect(),
    rateLimit: (o) => rateLimits.force(o),
    setBucketLimit: (o) => rateLimits.setPolicy(o.method, o.route, { limit: o.limit, windowSec: o.windowSec }),

    async waitFor(probe, o = {}) {
      const deadline = Date.now() + (o.timeoutMs ?? 5000);
      for (;;) {
        const value = probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`fake-discord: timed out waiting for ${o.what ?? 'a condition'}`);
        await new Promise((r) => setTimeout(r, o.intervalMs ?? 10));
      }
    },

    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
