/**
 * What the fake platform does when something is posted, edited, deleted or threaded — shared by the REST
 * routes (the bot acting) and the test handle (a simulated user acting): store it, validate it against
 * Discord's limits, and echo it on the gateway (MESSAGE_CREATE/UPDATE/DELETE, THREAD_CREATE) as Discord does,
 * including for the bot's own messages and with content blanked when the MESSAGE_CONTENT intent is missing.
 */
import { performance } from 'node:perf_hooks';
import type { FakeGateway } from './gateway.js';
import {
  ChannelType, Intent, MessageFlag, Permission, guildObject, memberObject, messageObject, snowflake, threadChannelObject, type Wire,
} from './payloads.js';
import { pingTargets, type FakeDiscordState, type StoredMessage } from './state.js';

export interface FakeDiscordIds {
  botUserId: string;
  applicationId: string;
  guildId: string;
  /** The guild's text channel. */
  channelId: string;
  /** The default simulated user. */
  userId: string;
  /** @everyone's role id (same as the guild id, as on Discord). */
  everyoneRoleId: string;
  /** A role with ADMINISTRATOR. */
  adminRoleId: string;
  /** A plain role without extra permissions. */
  memberRoleId: string;
  /** The bot's managed (integration) role; a user can mention it (`<@&id>`) instead of the bot. */
  botRoleId: string;
}

/** A Discord-style error answer. */
export interface ApiError {
  status: number;
  body: { message: string; code: number; errors?: unknown };
}

export function apiError(status: number, code: number, message: string, errors?: unknown): ApiError {
  return { status, body: { message, code, ...(errors ? { errors } : {}) } };
}

/**
 * A 400 Invalid Form Body with the error at `path` ("embeds.0.fields.2.value"), nested the way Discord nests
 * it: `{ embeds: { '0': { fields: { '2': { value: { _errors: [{ code, message }] } } } } } }`.
 */
function formError(path: string, code: string, message: string): ApiError {
  const errors = path.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), { _errors: [{ code, message }] });
  return apiError(400, 50035, 'Invalid Form Body', errors);
}

/**
 * Discord's embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits):
 * 10 embeds per message, title 256, description 4096, 25 fields, field name 256, field value 1024, footer text
 * 2048, author name 256, and 6000 characters across all of those in every embed of the message.
 */
export const EMBED_LIMITS = {
  perMessage: 10, total: 6000, title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, authorName: 256,
} as const;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const tooLong = (path: string, max: number) => formError(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);

/**
 * An embed or field URL as Discord checks it: a well-formed URL with an http(s) scheme (attachment:// is for
 * uploads, which Docent never sends). Discord answers URL_TYPE_INVALID_URL / URL_TYPE_INVALID_SCHEME.
 */
function invalidUrl(url: unknown, path: string): ApiError | undefined {
  if (url === undefined || url === null) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return formError(path, 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return formError(path, 'URL_TYPE_INVALID_SCHEME', `Scheme "${parsed.protocol.replace(/:$/, '')}" is not supported. Scheme must be one of ('http', 'https').`);
  }
  return undefined;
}

/** Checks one embed against the per-embed limits; returns its share of the 6000-character total. */
function checkEmbed(e: Wire, i: number): ApiError | number {
  const at = `embeds.${i}`;
  const title = str(e['title']);
  const description = str(e['description']);
  if (title.length > EMBED_LIMITS.title) return tooLong(`${at}.title`, EMBED_LIMITS.title);
  if (description.length > EMBED_LIMITS.description) return tooLong(`${at}.description`, EMBED_LIMITS.description);
  const badUrl = invalidUrl(e['url'], `${at}.url`);
  if (badUrl) return badUrl;
  const fields = Array.isArray(e['fields']) ? (e['fields'] as Wire[]) : [];
  if (fields.length > EMBED_LIMITS.fields) return tooLong(`${at}.fields`, EMBED_LIMITS.fields);
  let total = title.length + description.length;
  for (const [j, f] of fields.entries()) {
    const name = str(f['name']);
    const value = str(f['value']);
    // A field's name and value are required and cannot be empty.
    if (!name) return formError(`${at}.fields.${j}.name`, 'BASE_TYPE_REQUIRED', 'This field is required');
    if (!value) return formError(`${at}.fields.${j}.value`, 'BASE_TYPE_REQUIRED', 'This field is required');
    if (name.length > EMBED_LIMITS.fieldName) return tooLong(`${at}.fields.${j}.name`, EMBED_LIMITS.fieldName);
    if (value.length > EMBED_LIMITS.fieldValue) return tooLong(`${at}.fields.${j}.value`, EMBED_LIMITS.fieldValue);
    total += name.length + value.length;
  }
  const footer = str((e['footer'] as Wire | undefined)?.['text']);
  const author = str((e['author'] as Wire | undefined)?.['name']);
  if (footer.length > EMBED_LIMITS.footer) return tooLong(`${at}.footer.text`, EMBED_LIMITS.footer);
  if (author.length > EMBED_LIMITS.authorName) return tooLong(`${at}.author.name`, EMBED_LIMITS.authorName);
  return total + footer.length + author.length;
}

/** Checks a message body against Discord's limits (content 2000 characters; the embed limits above). */
export function validateMessageBody(body: Wire, opts: { create: boolean }): ApiError | undefined {
  const content = body['content'];
  if (typeof content === 'string' && content.length > 2000) {
    return formError('content', 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
  }
  const embeds = Array.isArray(body['embeds']) ? (body['embeds'] as Wire[]) : [];
  if (embeds.length > EMBED_LIMITS.perMessage) return tooLong('embeds', EMBED_LIMITS.perMessage);
  let total = 0;
  for (const [i, e] of embeds.entries()) {
    const checked = checkEmbed(e, i);
    if (typeof checked !== 'number') return checked;
    total += checked;
  }
  if (total > EMBED_LIMITS.total) return formError('embeds', 'MAX_EMBED_SIZE_EXCEEDED', `Embed size exceeds maximum size of ${EMBED_LIMITS.total}`);
  if (opts.create) {
    const empty = !content && embeds.length === 0 && !nonEmptyArray(body['components']) && !nonEmptyArray(body['sticker_ids']) &&
      !nonEmptyArray(body['attachments']) && !body['poll'];
    if (empty) return apiError(400, 50006, 'Cannot send an empty message');
  }
  return undefined;
}

/**
 * What Discord serializes of a message's own embeds: none while SUPPRESS_EMBEDS is set ("do not include any
 * embeds when serializing this message", https://discord.com/developers/docs/resources/message#message-object-message-flags),
 * rich embeds included; clearing the flag brings them back.
 */
function showEmbeds(stored: StoredMessage): void {
  stored.data['embeds'] = (Number(stored.data['flags'] ?? 0) & MessageFlag.SuppressEmbeds) !== 0 ? [] : (stored.embeds ?? []);
}

function nonEmptyArray(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}

export class FakePlatform {
  constructor(
    readonly state: FakeDiscordState,
    readonly gateway: FakeGateway,
    readonly ids: FakeDiscordIds,
    private readonly echoBotMessages: boolean,
  ) {}

  botUser(): Wire {
    return this.state.users.get(this.ids.botUserId)!;
  }

  user(id: string): Wire {
    const u = this.state.users.get(id);
    if (!u) throw new Error(`fake-discord: unknown user ${id}`);
    return u;
  }

  /** The guild as GUILD_CREATE carries it: roles, members, the text channel and any active threads. */
  guild(): Wire {
    const channels = [...this.state.channels.values()];
    return guildObject({
      id: this.ids.guildId, ownerId: this.ids.userId, roles: this.state.roles,
      channels: channels.filter((c) => !this.isThread(c)),
      threads: channels.filter((c) => this.isThread(c) && !(c['thread_metadata'] as Wire)['archived']),
      members: [...this.state.members.values()],
    });
  }

  /**
   * Whether a member holds a permission in the guild: @everyone's permissions and their roles' (no channel
   * overwrites in this fake); ADMINISTRATOR holds every one.
   */
  can(userId: string, permission: bigint): boolean {
    const member = this.state.members.get(userId);
    const roles = new Set([this.ids.everyoneRoleId, ...((member?.['roles'] as string[] | undefined) ?? [])]);
    let perms = 0n;
    for (const r of this.state.roles) if (roles.has(String(r['id']))) perms |= BigInt(String(r['permissions']));
    return (perms & Permission.Administrator) !== 0n || (perms & permission) !== 0n;
  }

  isThread(channel: Wire | undefined): boolean {
    return channel?.['type'] === ChannelType.PublicThread || channel?.['type'] === ChannelType.PrivateThread;
  }

  /** Stores a new message and echoes it as MESSAGE_CREATE. `body` is what the bot sent (kept in history). */
  createMessage(o: {
    channelId: string; authorId: string; body: Wire; type?: number; interactionId?: string; role?: 'original' | 'follow-up';
    webhook?: boolean; interactionMetadata?: Wire;
  }): StoredMessage {
    const byBot = o.authorId === this.ids.botUserId;
    const id = snowflake();
    const channel = this.state.channels.get(o.channelId);
    const content = typeof o.body['content'] === 'string' ? o.body['content'] : '';
    const ref = o.body['message_reference'] as Wire | undefined;
    const referenced = ref?.['message_id'] ? this.state.messages.get(String(ref['message_id'])) : undefined;
    const pings = pingTargets(content, byBot ? o.body['allowed_mentions'] : undefined);
    // A bot's message through the channel routes loses its embeds where the bot lacks Embed Links (interaction
    // responses go through the app's webhook and keep them).
    const sentEmbeds = (o.body['embeds'] as unknown[] | undefined) ?? [];
    const embeds = byBot && !o.webhook && !this.can(o.authorId, Permission.EmbedLinks) ? [] : sentEmbeds;
    const data = messageObject({
      id,
      channelId: o.channelId,
      author: this.user(o.authorId),
      type: o.type ?? (ref ? 19 : 0),
      content,
      embeds,
      components: (o.body['components'] as unknown[] | undefined) ?? [],
      flags: Number(o.body['flags'] ?? 0),
      mentions: pings.users.filter((u) => this.state.users.has(u)).map((u) => this.user(u)),
      mentionRoles: pings.roles,
      mentionEveryone: pings.everyone,
      ...(ref ? { messageReference: { type: 0, channel_id: o.channelId, guild_id: this.ids.guildId, ...ref }, referencedMessage: referenced?.data ?? null } : {}),
      ...(o.webhook ? { webhookId: this.ids.applicationId, applicationId: this.ids.applicationId } : {}),
      ...(o.interactionMetadata ? { interactionMetadata: o.interactionMetadata } : {}),
      ...(this.isThread(channel) ? { position: Number(channel?.['total_message_sent'] ?? 0) } : {}),
    });
    const stored: StoredMessage = {
      id, channelId: o.channelId, authorId: o.authorId, byBot, data, embeds, createdAt: performance.now(),
      history: byBot ? [{ at: performance.now(), kind: 'create', body: o.body }] : [],
      ...(o.interactionId ? { interactionId: o.interactionId } : {}),
      ...(o.role ? { role: o.role } : {}),
    };
    showEmbeds(stored);
    this.state.messages.set(id, stored);
    if (channel) {
      channel['last_message_id'] = id;
      if (this.isThread(channel)) {
        channel['message_count'] = Number(channel['message_count'] ?? 0) + 1;
        channel['total_message_sent'] = Number(channel['total_message_sent'] ?? 0) + 1;
      }
    }
    if (!byBot || this.echoBotMessages) this.echo('MESSAGE_CREATE', stored);
    return stored;
  }

  /** Applies an edit the bot sent and echoes MESSAGE_UPDATE. */
  editMessage(stored: StoredMessage, body: Wire): StoredMessage {
    const d = stored.data;
    for (const key of ['content', 'components', 'attachments'] as const) if (key in body && body[key] !== null) d[key] = body[key];
    if (Array.isArray(body['embeds'])) {
      const webhook = d['webhook_id'] !== undefined;
      stored.embeds = stored.byBot && !webhook && !this.can(stored.authorId, Permission.EmbedLinks) ? [] : body['embeds'];
    }
    if (typeof body['flags'] === 'number') d['flags'] = (Number(d['flags']) & MessageFlag.Ephemeral) | body['flags'];
    d['flags'] = Number(d['flags'] ?? 0) & ~MessageFlag.Loading;
    showEmbeds(stored);
    d['edited_timestamp'] = new Date().toISOString();
    stored.history.push({ at: performance.now(), kind: 'edit', body });
    if (this.echoBotMessages) this.echo('MESSAGE_UPDATE', stored);
    return stored;
  }

  deleteMessage(stored: StoredMessage): void {
    stored.deletedAt = performance.now();
    if (this.echoBotMessages || !stored.byBot) {
      this.gateway.dispatch('MESSAGE_DELETE', { id: stored.id, channel_id: stored.channelId, guild_id: this.ids.guildId }, Intent.GuildMessages);
    }
  }

  /** Creates a thread (from a starter message, whose id it takes, or standalone) and echoes THREAD_CREATE. */
  createThread(o: { parentId: string; name: string; type: number; autoArchiveDuration: number; ownerId: string; starter?: StoredMessage }): Wire {
    const thread = threadChannelObject({
      id: o.starter?.id ?? snowflake(), guildId: this.ids.guildId, parentId: o.parentId, ownerId: o.ownerId, name: o.name,
      type: o.type, autoArchiveDuration: o.autoArchiveDuration,
    });
    if (o.ownerId === this.ids.botUserId) {
      thread['member'] = { id: thread['id'], user_id: this.ids.botUserId, join_timestamp: new Date().toISOString(), flags: 0 };
    }
    this.state.channels.set(String(thread['id']), thread);
    if (o.starter) {
      o.starter.data['thread'] = thread;
      this.addStarterMessage(String(thread['id']), o.parentId, o.starter);
    }
    this.gateway.dispatch('THREAD_CREATE', { ...thread, newly_created: true }, Intent.Guilds);
    return thread;
  }

  /**
   * A thread started from a message opens with a THREAD_STARTER_MESSAGE (type 21, empty content) whose
   * `referenced_message` is the starter in the parent channel: that is how thread history shows the question.
   */
  private addStarterMessage(threadId: string, parentId: string, starter: StoredMessage): void {
    const id = snowflake();
    const data = messageObject({
      id, channelId: threadId, author: starter.data['author'] as Wire, type: 21, position: 0,
      messageReference: { type: 0, channel_id: parentId, guild_id: this.ids.guildId, message_id: starter.id },
      referencedMessage: starter.data,
    });
    this.state.messages.set(id, { id, channelId: threadId, authorId: starter.authorId, byBot: false, data, createdAt: performance.now(), history: [] });
  }

  /** Ephemeral messages are never dispatched; without MESSAGE_CONTENT a message's text arrives blank unless it mentions the bot or is the bot's own. */
  private echo(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', stored: StoredMessage): void {
    if ((Number(stored.data['flags'] ?? 0) & MessageFlag.Ephemeral) !== 0) return;
    const d: Wire = { ...stored.data, guild_id: this.ids.guildId };
    const member = this.state.members.get(stored.authorId);
    if (member && stored.data['webhook_id'] === undefined) {
      d['member'] = memberObject(null, member['roles'] as string[], String(member['joined_at']));
    }
    d['mentions'] = (stored.data['mentions'] as Wire[]).map((u) => {
      const m = this.state.members.get(String(u['id']));
      return m ? { ...u, member: memberObject(null, m['roles'] as string[], String(m['joined_at'])) } : u;
    });
    const withContent = (this.gateway.intents() & Intent.MessageContent) !== 0;
    this.gateway.dispatch(t, withContent ? d : this.blankContent(d, stored), Intent.GuildMessages);
  }

  /**
   * A message as the app reads it over REST (history, single fetch): blank unless the app may use MESSAGE_CONTENT,
   * with the same exceptions as the gateway.
   */
  asReadByApp(stored: StoredMessage): Wire {
    return this.gateway.messageContentAllowed() ? stored.data : this.blankContent(stored.data, stored);
  }

  /**
   * Without MESSAGE_CONTENT, `content`, `embeds`, `attachments`, `components` (and `poll`) arrive empty, except in
   * the app's own messages and messages that mention it (DMs, the other exception, do not exist in this fake):
   * https://discord.com/developers/docs/events/gateway#message-content-intent
   */
  private blankContent(d: Wire, stored: StoredMessage): Wire {
    const mentionsBot = (stored.data['mentions'] as Wire[]).some((u) => u['id'] === this.ids.botUserId);
    if (stored.byBot || mentionsBot) return d;
    const blank: Wire = { ...d, content: '', embeds: [], attachments: [], components: [] };
    delete blank['poll'];
    return blank;
  }
}
