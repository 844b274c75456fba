/**
 * Everything the fake Discord holds and everything the bot did to it, with `performance.now()` times, plus
 * the queries tests assert on ("what does the platform show now?"): final text per message, number of edits,
 * threads, the interaction's callback, every outgoing payload and whether any of them could ping someone.
 */
import type { Wire } from './payloads.js';

/** One message the platform holds (from the bot or from a simulated user). */
export interface StoredMessage {
  id: string;
  channelId: string;
  authorId: string;
  byBot: boolean;
  /** The message as Discord would return it now (after every edit). */
  data: Wire;
  /**
   * The message's own embeds as Discord keeps them; `data.embeds` is what it serializes — nothing while the
   * SuppressEmbeds flag is set. A bot's channel message without Embed Links has none (Discord drops them).
   */
  embeds?: unknown[];
  createdAt: number;
  deletedAt?: number;
  /** The bodies the bot sent for this message: the creation, then each edit, as sent. */
  history: { at: number; kind: 'create' | 'edit'; body: Wire }[];
  /** Set for interaction responses: which interaction, and whether this is the @original or a follow-up. */
  interactionId?: string;
  role?: 'original' | 'follow-up';
}

export interface CallbackRecord {
  at: number;
  /** Interaction response type: 4 message, 5 deferred (deferReply), 6 deferred update, 7 update, 9 modal. */
  type: number;
  body: Wire;
  /** HTTP status the fake answered (404 when late, 400 when already acknowledged). */
  status: number;
}

export interface InteractionRecord {
  id: string;
  token: string;
  /** 2 application command, 3 message component. */
  type: number;
  commandName?: string;
  customId?: string;
  /** The message a component was attached to. */
  messageId?: string;
  channelId: string;
  userId: string;
  /** The INTERACTION_CREATE dispatch; its `sentAt` is when it reached the socket (undefined while buffered). */
  dispatch?: DispatchRecord;
  /** Every callback attempt, accepted or not. */
  callbacks: CallbackRecord[];
  /** The accepted callback. */
  callback?: CallbackRecord;
  originalMessageId?: string;
  followUpIds: string[];
}

export type OutgoingKind =
  | 'interaction-callback' | 'webhook-message' | 'webhook-edit' | 'channel-message' | 'message-edit'
  | 'thread' | 'commands' | 'other';

/** One mutating request the bot made (POST/PUT/PATCH/DELETE), whatever the fake answered. */
export interface OutgoingRecord {
  at: number;
  method: string;
  /** Path below /api/v10, without the query string. */
  path: string;
  query: string;
  kind: OutgoingKind;
  /** The JSON body as sent (a top-level array, as in PUT commands, is under `_array`; multipart keeps `payload_json`). */
  body: Wire;
  status: number;
}

export interface RateLimitRecord {
  at: number;
  method: string;
  path: string;
  retryAfterSec: number;
  /** True when injected with `rateLimit()`, false when the bot outran the bucket the headers announced. */
  forced: boolean;
  global: boolean;
  /** When the same method+path arrived next, and how long after the 429 that was. */
  retriedAt?: number;
  waitedMs?: number;
}

export interface DispatchRecord {
  t: string;
  s: number;
  d: Wire;
  createdAt: number;
  /** First time written to a socket. */
  sentAt?: number;
  /** Times it was written again while answering a RESUME. */
  replayedAt: number[];
}

export interface GatewayState {
  identifies: number;
  resumes: number;
  heartbeats: number;
  /** RESUMEs refused with INVALID_SESSION (unknown session id or wrong token). */
  invalidSessions: number;
  identifyPayloads: { at: number; token: string; intents: number; properties: unknown; shard: unknown }[];
  resumePayloads: { at: number; token: string; sessionId: string; seq: number | null }[];
  /** Each WebSocket connection: path (`/gateway` or the resume URL's `/resume-gateway`) and query (`v=10&encoding=json`). */
  connections: { at: number; path: string; query: string }[];
  closes: { at: number; code: number; by: 'server' | 'client' }[];
  dispatches: DispatchRecord[];
  /** Intents and token from the latest IDENTIFY. */
  intents?: number;
  token?: string;
  connected: boolean;
  sessionId?: string;
}

export class FakeDiscordState {
  readonly gateway: GatewayState = {
    identifies: 0, resumes: 0, heartbeats: 0, invalidSessions: 0, identifyPayloads: [], resumePayloads: [],
    connections: [], closes: [], dispatches: [], connected: false,
  };
  /** Registered application commands as the fake returns them (sent fields plus id, version, …). */
  readonly commands: { global: Wire[]; guild: Record<string, Wire[]> } = { global: [], guild: {} };
  readonly channels = new Map<string, Wire>();
  readonly messages = new Map<string, StoredMessage>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly users = new Map<string, Wire>();
  /** The guild's roles (@everyone first). */
  readonly roles: Wire[] = [];
  /** Guild members by user id (this fake has one guild). */
  readonly members = new Map<string, Wire>();
  readonly outgoing: OutgoingRecord[] = [];
  /** Every REST request, in arrival order. */
  readonly requests: { at: number; method: string; path: string; query: string; status: number }[] = [];
  readonly rateLimits: RateLimitRecord[] = [];
  readonly unknownRoutes: { at: number; method: string; path: string }[] = [];
  /** Tokens seen in `Authorization: Bot …` headers. */
  readonly restTokens = new Set<string>();

  /** Messages in a channel or thread, oldest first (deleted ones only when asked). */
  messagesIn(channelId: string, opts: { includeDeleted?: boolean } = {}): StoredMessage[] {
    return [...this.messages.values()]
      .filter((m) => m.channelId === channelId && (opts.includeDeleted || m.deletedAt === undefined))
      .sort((a, b) => compareIds(a.id, b.id));
  }

  /**
   * The current text of each ordinary message (default, reply, slash-command response) in a channel or
   * thread, oldest first — system messages such as a thread's type-21 starter are left out.
   */
  contentsIn(channelId: string): string[] {
    return this.messagesIn(channelId)
      .filter((m) => [0, 19, 20, 23].includes(Number(m.data['type'])))
      .map((m) => String(m.data['content'] ?? ''));
  }

  /** Messages the bot posted in a channel or thread (channel messages and interaction responses), oldest first. */
  botMessagesIn(channelId: string): StoredMessage[] {
    return this.messagesIn(channelId).filter((m) => m.byBot);
  }

  /** Looks an interaction up by id or token. */
  interaction(idOrToken: string): InteractionRecord | undefined {
    return this.interactions.get(idOrToken) ?? [...this.interactions.values()].find((i) => i.token === idOrToken);
  }

  /** Milliseconds from the INTERACTION_CREATE reaching the socket to the accepted callback arriving. */
  ackDelayMs(idOrToken: string): number | undefined {
    const i = this.interaction(idOrToken);
    return i?.callback && i.dispatch?.sentAt !== undefined ? i.callback.at - i.dispatch.sentAt : undefined;
  }

  /** The accepted callback of an interaction (type 5 for deferReply, 4 for reply, 6/7 for buttons). */
  callbackOf(idOrToken: string): CallbackRecord | undefined {
    return this.interaction(idOrToken)?.callback;
  }

  /** The interaction's @original message (the deferred/replied message, or the component's message). */
  original(idOrToken: string): StoredMessage | undefined {
    const id = this.interaction(idOrToken)?.originalMessageId;
    return id === undefined ? undefined : this.messages.get(id);
  }

  originalContent(idOrToken: string): string | undefined {
    const m = this.original(idOrToken);
    return m === undefined ? undefined : String(m.data['content'] ?? '');
  }

  /** Each edit of the @original, in order, as sent (content, embeds, components, allowed_mentions, flags). */
  edits(idOrToken: string): { at: number; body: Wire }[] {
    return (this.original(idOrToken)?.history ?? []).filter((h) => h.kind === 'edit').map(({ at, body }) => ({ at, body }));
  }

  followUps(idOrToken: string): StoredMessage[] {
    const i = this.interaction(idOrToken);
    return (i?.followUpIds ?? []).map((id) => this.messages.get(id)).filter((m): m is StoredMessage => m !== undefined);
  }

  /** Thread channels, optionally only those under one parent channel. */
  threads(parentId?: string): Wire[] {
    return [...this.channels.values()].filter(
      (c) => (c['type'] === 11 || c['type'] === 12) && (parentId === undefined || c['parent_id'] === parentId),
    );
  }

  /** Thread ids, optionally only those under one parent channel. */
  threadIds(parentId?: string): string[] {
    return this.threads(parentId).map((t) => String(t['id']));
  }

  /** Every mutating payload the bot sent, in order. */
  allOutgoing(): OutgoingRecord[] {
    return [...this.outgoing];
  }

  /**
   * Outgoing payloads with text that are not locked down: `allowed_mentions` missing, or allowing any parse
   * type, explicit users/roles, or a reply ping. The design wants none (`allowed_mentions: { parse: [] }`).
   */
  permissiveMentions(): OutgoingRecord[] {
    return this.outgoing.filter((o) => {
      const body = messageBodyOf(o);
      return body !== undefined && hasText(body) && isPermissive(body);
    });
  }

  /** Outgoing payloads whose text would actually ping someone (a mention token the allowed_mentions let through). */
  pings(): { record: OutgoingRecord; users: string[]; roles: string[]; everyone: boolean }[] {
    const out: { record: OutgoingRecord; users: string[]; roles: string[]; everyone: boolean }[] = [];
    for (const record of this.outgoing) {
      const body = messageBodyOf(record);
      if (!body || !hasText(body)) continue;
      const p = pingTargets(String(body['content'] ?? ''), body['allowed_mentions']);
      if (p.users.length || p.roles.length || p.everyone) out.push({ record, ...p });
    }
    return out;
  }

  /** REST requests whose method matches and whose path matches the regex (or contains the string). */
  requestsTo(method: string, path: RegExp | string): { at: number; method: string; path: string; query: string; status: number }[] {
    return this.requests.filter(
      (r) => r.method === method.toUpperCase() && (typeof path === 'string' ? r.path.includes(path) : path.test(r.path)),
    );
  }

  /** The dispatches of one event type, in sequence order. */
  dispatchesOf(t: string): DispatchRecord[] {
    return this.gateway.dispatches.filter((d) => d.t === t);
  }
}

/** Orders snowflakes numerically (string order breaks when lengths differ). */
export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The message-shaped part of an outgoing payload (interaction callbacks wrap it in `data`). */
function messageBodyOf(o: OutgoingRecord): Wire | undefined {
  if (o.kind === 'interaction-callback') {
    const data = o.body['data'];
    return data && typeof data === 'object' ? (data as Wire) : undefined;
  }
  if (['webhook-message', 'webhook-edit', 'channel-message', 'message-edit'].includes(o.kind)) return o.body;
  return undefined;
}

function hasText(body: Wire): boolean {
  return typeof body['content'] === 'string' && body['content'].length > 0;
}

function isPermissive(body: Wire): boolean {
  const am = body['allowed_mentions'] as Wire | undefined | null;
  if (!am || typeof am !== 'object') return true;
  const parse = Array.isArray(am['parse']) ? am['parse'] : [];
  const users = Array.isArray(am['users']) ? am['users'] : [];
  const roles = Array.isArray(am['roles']) ? am['roles'] : [];
  return parse.length > 0 || users.length > 0 || roles.length > 0 || (body['message_reference'] !== undefined && am['replied_user'] === true);
}

/**
 * Who a text would ping under Discord's allowed-mentions rules: with no `allowed_mentions` every mention in
 * the content pings; with one, only the parse types and explicit ids it lists do. Mentions in embeds never ping.
 */
export function pingTargets(content: string, allowedMentions: unknown): { users: string[]; roles: string[]; everyone: boolean } {
  const userIds = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]!);
  const roleIds = [...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1]!);
  const everyone = /@(everyone|here)\b/.test(content);
  if (!allowedMentions || typeof allowedMentions !== 'object') return { users: userIds, roles: roleIds, everyone };
  const am = allowedMentions as Wire;
  const parse = Array.isArray(am['parse']) ? (am['parse'] as string[]) : [];
  const users = Array.isArray(am['users']) ? (am['users'] as string[]) : [];
  const roles = Array.isArray(am['roles']) ? (am['roles'] as string[]) : [];
  return {
    users: userIds.filter((id) => parse.includes('users') || users.includes(id)),
    roles: roleIds.filter((id) => parse.includes('roles') || roles.includes(id)),
    everyone: everyone && parse.includes('everyone'),
  };
}
