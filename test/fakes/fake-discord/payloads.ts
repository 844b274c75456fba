/**
 * Wire objects the fake Discord hands out, shaped like Discord API v10 (users, members, roles, the guild,
 * channels, threads, messages, interactions). discord.js builds its structures from exactly these fields, so
 * a missing one shows up as a crash deep inside the client; keep them complete rather than minimal.
 */

/** A JSON object as it travels on the wire. */
export type Wire = Record<string, unknown>;

const DISCORD_EPOCH = 1_420_070_400_000n;
let lastSnowflake = 0n;

/** A fresh, strictly increasing snowflake (ms since the Discord epoch << 22), so sorting by id sorts by time. */
export function snowflake(): string {
  const fromClock = (BigInt(Date.now()) - DISCORD_EPOCH) << 22n;
  lastSnowflake = fromClock > lastSnowflake ? fromClock : lastSnowflake + 1n;
  return lastSnowflake.toString();
}

/** The creation time Discord encodes in a snowflake, as an ISO string (message `timestamp`). */
export function snowflakeTime(id: string): string {
  return new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH)).toISOString();
}

// Permission bits (https://discord.com/developers/docs/topics/permissions).
export const Permission = {
  Administrator: 1n << 3n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseApplicationCommands: 1n << 31n,
  CreatePublicThreads: 1n << 35n,
  SendMessagesInThreads: 1n << 38n,
} as const;

/** Every permission bit Discord defines today (what an administrator's interaction `permissions` carries). */
export const ALL_PERMISSIONS = (1n << 51n) - 1n;

/** What @everyone may do in the fake guild: read, write, use commands and threads (no admin). */
export const EVERYONE_PERMISSIONS =
  Permission.ViewChannel | Permission.SendMessages | Permission.EmbedLinks | Permission.AttachFiles |
  Permission.ReadMessageHistory | Permission.UseApplicationCommands | Permission.CreatePublicThreads |
  Permission.SendMessagesInThreads;

/** Gateway intent bits the fake honours. */
export const Intent = { Guilds: 1 << 0, GuildMessages: 1 << 9, DirectMessages: 1 << 12, MessageContent: 1 << 15 } as const;

/** Message flags the fake sets or reads. */
export const MessageFlag = { SuppressEmbeds: 1 << 2, Ephemeral: 1 << 6, Loading: 1 << 7, SuppressNotifications: 1 << 12 } as const;

export const ChannelType = { GuildText: 0, PublicThread: 11, PrivateThread: 12 } as const;

export function userObject(id: string, opts: { bot?: boolean; username?: string } = {}): Wire {
  const username = opts.username ?? (opts.bot ? 'docent' : `user${id.slice(-4)}`);
  return {
    id,
    username,
    global_name: opts.bot ? null : username,
    discriminator: opts.bot ? '0000' : '0',
    avatar: null,
    avatar_decoration_data: null,
    public_flags: 0,
    flags: 0,
    ...(opts.bot ? { bot: true, verified: true, mfa_enabled: false, email: null } : {}),
  };
}

/** A guild member; `user` is left out for MESSAGE_CREATE's `member`, which Discord sends without it. */
export function memberObject(user: Wire | null, roles: string[], joinedAt: string, permissions?: string): Wire {
  return {
    ...(user ? { user } : {}),
    nick: null,
    avatar: null,
    banner: null,
    roles,
    joined_at: joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
    ...(permissions !== undefined ? { permissions } : {}),
  };
}

export function roleObject(id: string, name: string, permissions: bigint, position: number): Wire {
  return {
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: permissions.toString(),
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

export function textChannelObject(id: string, guildId: string, name: string, position: number): Wire {
  return {
    id,
    type: ChannelType.GuildText,
    guild_id: guildId,
    name,
    position,
    permission_overwrites: [],
    topic: null,
    nsfw: false,
    last_message_id: null,
    rate_limit_per_user: 0,
    parent_id: null,
    default_auto_archive_duration: 1440,
    flags: 0,
  };
}

export function threadChannelObject(o: {
  id: string; guildId: string; parentId: string; ownerId: string; name: string; type: number; autoArchiveDuration: number;
}): Wire {
  const now = new Date().toISOString();
  return {
    id: o.id,
    type: o.type,
    guild_id: o.guildId,
    parent_id: o.parentId,
    owner_id: o.ownerId,
    name: o.name,
    last_message_id: null,
    rate_limit_per_user: 0,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
    flags: 0,
    applied_tags: [],
    thread_metadata: {
      archived: false,
      auto_archive_duration: o.autoArchiveDuration,
      archive_timestamp: now,
      locked: false,
      ...(o.type === ChannelType.PrivateThread ? { invitable: true } : {}),
      create_timestamp: now,
    },
  };
}

export function guildObject(o: {
  id: string; ownerId: string; roles: Wire[]; channels: Wire[]; threads: Wire[]; members: Wire[];
}): Wire {
  return {
    id: o.id,
    name: 'Fake Guild',
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: o.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 1,
    explicit_content_filter: 0,
    roles: o.roles,
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: 'en-US',
    nsfw_level: 0,
    max_members: 500000,
    max_video_channel_users: 25,
    // GUILD_CREATE-only fields.
    joined_at: new Date().toISOString(),
    large: false,
    unavailable: false,
    member_count: o.members.length,
    voice_states: [],
    members: o.members,
    channels: o.channels,
    threads: o.threads,
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/** A message as Discord returns it from REST (gateway events add `guild_id` and `member`). */
export function messageObject(o: {
  id: string; channelId: string; author: Wire; type?: number; content?: string; embeds?: unknown[];
  components?: unknown[]; flags?: number; mentions?: Wire[]; mentionRoles?: string[]; mentionEveryone?: boolean;
  messageReference?: Wire; referencedMessage?: Wire | null; webhookId?: string; applicationId?: string;
  interactionMetadata?: Wire; position?: number;
}): Wire {
  return {
    id: o.id,
    type: o.type ?? 0,
    channel_id: o.channelId,
    author: o.author,
    content: o.content ?? '',
    timestamp: snowflakeTime(o.id),
    edited_timestamp: null,
    tts: false,
    mention_everyone: o.mentionEveryone ?? false,
    mentions: o.mentions ?? [],
    mention_roles: o.mentionRoles ?? [],
    attachments: [],
    embeds: o.embeds ?? [],
    reactions: [],
    pinned: false,
    flags: o.flags ?? 0,
    components: o.components ?? [],
    ...(o.messageReference ? { message_reference: o.messageReference } : {}),
    ...(o.referencedMessage !== undefined ? { referenced_message: o.referencedMessage } : {}),
    ...(o.webhookId ? { webhook_id: o.webhookId } : {}),
    ...(o.applicationId ? { application_id: o.applicationId } : {}),
    ...(o.interactionMetadata ? { interaction_metadata: o.interactionMetadata } : {}),
    ...(o.position !== undefined ? { position: o.position } : {}),
  };
}

/** Fields every interaction carries, whatever its type (what BaseInteraction's constructor reads). */
export function interactionBase(o: {
  id: string; token: string; type: number; applicationId: string; guildId: string; channel: Wire; member: Wire;
  appPermissions: string;
}): Wire {
  return {
    id: o.id,
    application_id: o.applicationId,
    type: o.type,
    guild: { id: o.guildId, locale: 'en-US', features: [] },
    guild_id: o.guildId,
    channel: o.channel,
    channel_id: o.channel['id'],
    member: o.member,
    token: o.token,
    version: 1,
    app_permissions: o.appPermissions,
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': o.guildId },
    context: 0,
    attachment_size_limit: 10_485_760,
  };
}

/** A random-looking interaction token (real ones are long opaque strings; adapters must not parse them). */
export function interactionToken(id: string): string {
  const noise = () => Math.random().toString(36).slice(2);
  return `aW50ZXJhY3Rpb246${Buffer.from(id).toString('base64url')}_${noise()}${noise()}${noise()}`;
}
