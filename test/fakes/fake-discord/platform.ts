/**
 * What the fake platform does when something is posted, edited, deleted or threaded — shared by the REST
 * routes (the bot acting) and the test handle (a simulated user acting): store it, validate it against
 * Discord's limits, and echo it on the gateway (MESSAGE_CREATE/UPDATE/DELETE, THREAD_CREATE) as Discord does,
 * including for the bot's own messages and with content blanked when the MESSAGE_CONTENT intent is missing.
 */
import { performance } from 'node:perf_hooks';
import type { FakeGateway } from './gateway.js';
import {
  ChannelType, Intent, MessageFlag, guildObject, memberObject, messageObject, snowflake, threadChannelObject, type Wire,
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
}

/** A Discord-style error answer. */
export interface ApiError {
  status: number;
  body: { message: string; code: number; errors?: unknown };
}

export function apiError(status: number, code: number, message: string, errors?: unknown): ApiError {
  return { status, body: { message, code, ...(errors ? { errors } : {}) } };
}

function formError(field: string, code: string, message: string): ApiError {
  return apiError(400, 50035, 'Invalid Form Body', { [field]: { _errors: [{ code, message }] } });
}

/** Checks a message body against Discord's limits (2000 chars, 10 embeds, 6000 embed chars, 4096 per description). */
export function validateMessageBody(body: Wire, opts: { create: boolean }): ApiError | undefined {
  const content = body['content'];
  if (typeof content === 'string' && content.length > 2000) {
    return formError('content', 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
  }
  const embeds = Array.isArray(body['embeds']) ? (body['embeds'] as Wire[]) : [];
  if (embeds.length > 10) return formError('embeds', 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  let total = 0;
  for (const e of embeds) {
    const description = typeof e['description'] === 'string' ? e['description'] : '';
    if (description.length > 4096) return formError('embeds.0.description', 'BASE_TYPE_MAX_LENGTH', 'Must be 4096 or fewer in length.');
    const title = typeof e['title'] === 'string' ? e['title'] : '';
    if (title.length > 256) return formError('embeds.0.title', 'BASE_TYPE_MAX_LENGTH', 'Must be 256 or fewer in length.');
    const fields = Array.isArray(e['fields']) ? (e['fields'] as Wire[]) : [];
    if (fields.length > 25) return formError('embeds.0.fields', 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    const footer = (e['footer'] as Wire | undefined)?.['text'];
    const author = (e['author'] as Wire | undefined)?.['name'];
    total += title.length + description.length + String(footer ?? '').length + String(author ?? '').length;
    for (const f of fields) total += String(f['name'] ?? '').length + String(f['value'] ?? '').length;
  }
  if (total > 6000) return formError('embeds', 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
  if (opts.create) {
    const empty = !content && embeds.length === 0 && !nonEmptyArray(body['components']) && !nonEmptyArray(body['sticker_ids']) &&
      !nonEmptyArray(body['attachments']) && !body['poll'];
    if (empty) return apiError(400, 50006, 'Cannot send an empty message');
  }
  return undefined;
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
    const data = messageObject({
      id,
      channelId: o.channelId,
      author: this.user(o.authorId),
      type: o.type ?? (ref ? 19 : 0),
      content,
      embeds: (o.body['embeds'] as unknown[] | undefined) ?? [],
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
      id, channelId: o.channelId, authorId: o.authorId, byBot, data, createdAt: performance.now(),
      history: byBot ? [{ at: performance.now(), kind: 'create', body: o.body }] : [],
      ...(o.interactionId ? { interactionId: o.interactionId } : {}),
      ...(o.role ? { role: o.role } : {}),
    };
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
    for (const key of ['content', 'embeds', 'components', 'attachments'] as const) if (key in body && body[key] !== null) d[key] = body[key];
    if (typeof body['flags'] === 'number') d['flags'] = (Number(d['flags']) & MessageFlag.Ephemeral) | body['flags'];
    d['flags'] = Number(d['flags'] ?? 0) & ~MessageFlag.Loading;
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
    const mentionsBot = (stored.data['mentions'] as Wire[]).some((u) => u['id'] === this.ids.botUserId);
    if ((this.gateway.intents() & Intent.MessageContent) === 0 && !stored.byBot && !mentionsBot) {
      Object.assign(d, { content: '', embeds: [], attachments: [], components: [] });
    }
    this.gateway.dispatch(t, d, Intent.GuildMessages);
  }
}
