/**
 * The Web API methods the fake implements, each a function from the parsed arguments to Slack's answer
 * (the fields after `ok: true`, or a `SlackError`). Semantics follow docs.slack.dev: messages get fresh `ts`
 * values, chat.update keeps an edit history, chat.*Stream builds one message from its appends, the reads
 * (conversations.replies / history) see bot and user messages alike.
 */
import { streamContent, validateBlocks, validateMessage, type SlackError } from './limits.js';
import { now, type FakeSlackState, type StoredMessage, type TsClock, type Wire } from './state.js';

export interface FakeSlackIds {
  botUserId: string;
  botId: string;
  teamId: string;
  teamDomain: string;
  appId: string;
  /** The default simulated user. */
  userId: string;
  /** The default channel. */
  channelId: string;
  /** The default user's DM with the bot (message events default to it). */
  dmChannelId: string;
}

export interface WebApiContext {
  state: FakeSlackState;
  clock: TsClock;
  ids: FakeSlackIds;
  streaming: boolean;
  maxTextChars: number;
  /** A stream older than this is over: appends answer message_not_in_streaming_state (Slack: ~5 min). */
  streamLifetimeMs: number;
  /** Issues a one-time Socket Mode URL (apps.connections.open). */
  socketUrl(): string;
  /** Called when a bot message becomes visible (posted, or a stream stopped), e.g. to echo it as an event. */
  onBotMessage(m: StoredMessage): void;
}

export type MethodResult = { ok: true; body: Wire } | { ok: false; err: SlackError };
export type MethodHandler = (args: Wire, ctx: WebApiContext) => MethodResult;

const ok = (body: Wire = {}): MethodResult => ({ ok: true, body });
const fail = (error: string, extra?: Wire): MethodResult => ({ ok: false, err: { error, ...(extra ? { extra } : {}) } });
const failWith = (err: SlackError): MethodResult => ({ ok: false, err });
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

export const STREAM_METHODS = new Set(['chat.startStream', 'chat.appendStream', 'chat.stopStream']);

function channelInfo(id: string): Wire {
  const isIm = id.startsWith('D');
  return {
    id, name: isIm ? undefined : id.toLowerCase(), is_channel: id.startsWith('C'), is_group: id.startsWith('G'), is_im: isIm,
    is_mpim: false, is_private: !id.startsWith('C'), is_archived: false, is_member: true, created: 1_700_000_000,
  };
}

function postBotMessage(args: Wire, ctx: WebApiContext, via: string): StoredMessage {
  const m = ctx.state.put({
    channel: String(args['channel']), ts: ctx.clock.next(), user: ctx.ids.botUserId, bot_id: ctx.ids.botId, app_id: ctx.ids.appId, byBot: true,
    text: typeof args['text'] === 'string' ? args['text'] : '', via,
    ...(str(args['thread_ts']) !== undefined ? { thread_ts: str(args['thread_ts'])! } : {}),
    ...(Array.isArray(args['blocks']) ? { blocks: args['blocks'] as Wire[] } : {}),
    ...(Array.isArray(args['attachments']) ? { attachments: args['attachments'] as Wire[] } : {}),
    ...(args['metadata'] && typeof args['metadata'] === 'object' ? { metadata: args['metadata'] as Wire } : {}),
    ...(typeof args['mrkdwn'] === 'boolean' ? { mrkdwn: args['mrkdwn'] } : {}),
    ...(typeof args['unfurl_links'] === 'boolean' ? { unfurl_links: args['unfurl_links'] } : {}),
    ...(typeof args['unfurl_media'] === 'boolean' ? { unfurl_media: args['unfurl_media'] } : {}),
  });
  return m;
}

/** Finds the bot's message a chat.update / delete / *Stream call targets. */
function target(args: Wire, ctx: WebApiContext, notMine: string): StoredMessage | SlackError {
  const channel = str(args['channel']);
  const ts = str(args['ts']);
  if (!channel) return { error: 'channel_not_found' };
  if (!ts) return { error: 'message_not_found' };
  const m = ctx.state.message(channel, ts);
  if (!m || m.deletedAt !== undefined) return { error: 'message_not_found' };
  if (!m.byBot) return { error: notMine };
  return m;
}

/** The stream's message, if it is still streaming (a stream past its lifetime is over, as on Slack). */
function liveStream(args: Wire, ctx: WebApiContext): StoredMessage | SlackError {
  const m = target(args, ctx, 'message_not_in_streaming_state');
  if ('error' in m) return m;
  ctx.state.expiry(m);
  const s = m.stream;
  if (!s || s.state !== 'streaming') return { error: 'message_not_in_streaming_state' };
  return m;
}

function pageOf(messages: StoredMessage[], args: Wire): StoredMessage[] {
  const oldest = Number(args['oldest'] ?? 0);
  const latest = args['latest'] !== undefined ? Number(args['latest']) : Infinity;
  const inclusive = args['inclusive'] === true;
  return messages.filter((m) => {
    const t = Number(m.ts);
    return (inclusive ? t >= oldest : t > oldest) && (inclusive ? t <= latest : t < latest);
  });
}

export const METHODS: Record<string, MethodHandler> = {
  'auth.test': (_a, ctx) => ok({
    url: `https://${ctx.ids.teamDomain}.slack.com/`, team: 'Fake Team', user: 'docent', team_id: ctx.ids.teamId,
    user_id: ctx.ids.botUserId, bot_id: ctx.ids.botId, is_enterprise_install: false,
  }),

  'apps.connections.open': (_a, ctx) => ok({ url: ctx.socketUrl() }),

  'chat.postMessage': (args, ctx) => {
    if (!str(args['channel'])) return fail('channel_not_found');
    const bad = validateMessage(args, { maxTextChars: ctx.maxTextChars, requireContent: true });
    if (bad) return failWith(bad);
    const m = postBotMessage(args, ctx, 'chat.postMessage');
    ctx.onBotMessage(m);
    return ok({ channel: m.channel, ts: m.ts, message: ctx.state.toWire(m, ctx.ids.botUserId) });
  },

  'chat.postEphemeral': (args, ctx) => {
    const channel = str(args['channel']);
    const user = str(args['user']);
    if (!channel) return fail('channel_not_found');
    if (!user) return fail('user_not_in_channel');
    const bad = validateMessage(args, { maxTextChars: ctx.maxTextChars, requireContent: true });
    if (bad) return failWith(bad);
    const messageTs = ctx.clock.next();
    ctx.state.ephemerals.push({
      at: now(), channel, user, text: typeof args['text'] === 'string' ? args['text'] : '', via: 'chat.postEphemeral', message_ts: messageTs,
      ...(Array.isArray(args['blocks']) ? { blocks: args['blocks'] as Wire[] } : {}),
      ...(str(args['thread_ts']) ? { thread_ts: str(args['thread_ts'])! } : {}),
    });
    return ok({ message_ts: messageTs });
  },

  'chat.update': (args, ctx) => {
    const m = target(args, ctx, 'cant_update_message');
    if ('error' in m) return failWith(m);
    const bad = validateMessage(args, { maxTextChars: ctx.maxTextChars, requireContent: true });
    if (bad) return failWith(bad);
    if (typeof args['text'] === 'string') m.text = args['text'];
    if (Array.isArray(args['blocks'])) m.blocks = args['blocks'] as Wire[];
    m.updates.push({ at: now(), via: 'chat.update', editTs: ctx.clock.next(), text: m.text, ...(m.blocks ? { blocks: m.blocks } : {}) });
    return ok({ channel: m.channel, ts: m.ts, text: m.text, message: ctx.state.toWire(m, ctx.ids.botUserId) });
  },

  'chat.delete': (args, ctx) => {
    const m = target(args, ctx, 'cant_delete_message');
    if ('error' in m) return failWith(m);
    m.deletedAt = now();
    return ok({ channel: m.channel, ts: m.ts });
  },

  'chat.startStream': (args, ctx) => {
    const channel = str(args['channel']);
    const threadTs = str(args['thread_ts']);
    if (!channel) return fail('channel_not_found');
    if (!threadTs) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: thread_ts'] } });
    // "Required when streaming to channels" (docs.slack.dev chat.startStream); DMs know their recipient.
    if (!channel.startsWith('D')) {
      if (!str(args['recipient_user_id'])) return fail('missing_recipient_user_id');
      if (!str(args['recipient_team_id'])) return fail('missing_recipient_team_id');
    }
    const content = streamContent(args);
    if ('error' in content) return failWith(content);
    const m = postBotMessage({ channel, thread_ts: threadTs, text: content.text }, ctx, 'chat.startStream');
    const at = now();
    m.stream = {
      state: 'streaming', startedAt: at, appends: [{ at, text: content.text, chunks: content.chunks, method: 'chat.startStream' }],
      ...(str(args['recipient_user_id']) ? { recipientUserId: str(args['recipient_user_id'])! } : {}),
      ...(str(args['recipient_team_id']) ? { recipientTeamId: str(args['recipient_team_id'])! } : {}),
    };
    return ok({ channel, ts: m.ts });
  },

  'chat.appendStream': (args, ctx) => {
    const m = liveStream(args, ctx);
    if ('error' in m) return failWith(m);
    const content = streamContent(args);
    if ('error' in content) return failWith(content);
    if (content.chunks.length === 0) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] markdown_text or chunks is required'] } });
    if (m.text.length + content.text.length > ctx.maxTextChars) return fail('msg_too_long');
    m.text += content.text;
    m.stream!.appends.push({ at: now(), text: content.text, chunks: content.chunks, method: 'chat.appendStream' });
    return ok({ channel: m.channel, ts: m.ts });
  },

  'chat.stopStream': (args, ctx) => {
    const m = liveStream(args, ctx);
    if ('error' in m) return failWith(m);
    const content = streamContent(args);
    if ('error' in content) return failWith(content);
    if (args['blocks'] !== undefined) {
      const bad = validateBlocks(args['blocks']);
      if (bad) return failWith(bad);
    }
    if (m.text.length + content.text.length > ctx.maxTextChars) return fail('msg_too_long');
    m.text += content.text;
    const at = now();
    if (content.chunks.length) m.stream!.appends.push({ at, text: content.text, chunks: content.chunks, method: 'chat.stopStream' });
    if (Array.isArray(args['blocks'])) m.blocks = [...(m.blocks ?? []), ...(args['blocks'] as Wire[])];
    if (args['metadata'] && typeof args['metadata'] === 'object') m.metadata = args['metadata'] as Wire;
    Object.assign(m.stream!, { state: 'stopped', stoppedAt: at });
    ctx.onBotMessage(m);
    return ok({ channel: m.channel, ts: m.ts, message: ctx.state.toWire(m, ctx.ids.botUserId) });
  },

  'conversations.replies': (args, ctx) => {
    const channel = str(args['channel']);
    const ts = str(args['ts']);
    if (!channel) return fail('channel_not_found');
    if (!ts) return fail('thread_not_found');
    const asked = ctx.state.message(channel, ts);
    if (!asked || asked.deletedAt !== undefined) return fail('thread_not_found');
    const parentTs = asked.thread_ts ?? asked.ts;
    const all = pageOf(ctx.state.thread(channel, parentTs), args);
    const limit = Number(args['limit'] ?? 1000) || 1000;
    const page = all.slice(0, limit);
    return ok({
      messages: page.map((m) => ctx.state.toWire(m, ctx.ids.botUserId)), has_more: all.length > page.length,
      response_metadata: { next_cursor: '' },
    });
  },

  'conversations.history': (args, ctx) => {
    const channel = str(args['channel']);
    if (!channel) return fail('channel_not_found');
    const top = ctx.state.messages(channel).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
    const all = pageOf(top, args).reverse();
    const limit = Number(args['limit'] ?? 100) || 100;
    const page = all.slice(0, limit);
    return ok({
      messages: page.map((m) => ctx.state.toWire(m, ctx.ids.botUserId)), has_more: all.length > page.length, pin_count: 0,
      channel_actions_ts: null, channel_actions_count: 0, response_metadata: { next_cursor: '' },
    });
  },

  'conversations.info': (args) => {
    const channel = str(args['channel']);
    return channel ? ok({ channel: channelInfo(channel) }) : fail('channel_not_found');
  },

  'users.info': (args, ctx) => {
    const user = str(args['user']);
    if (!user) return fail('user_not_found');
    const isBot = user === ctx.ids.botUserId;
    return ok({
      user: {
        id: user, team_id: ctx.ids.teamId, name: isBot ? 'docent' : user.toLowerCase(), real_name: isBot ? 'Docent' : `User ${user}`,
        is_bot: isBot, is_admin: false, deleted: false, tz: 'UTC', profile: { display_name: isBot ? 'Docent' : user.toLowerCase(), real_name: isBot ? 'Docent' : `User ${user}` },
      },
    });
  },

  'chat.getPermalink': (args, ctx) => {
    const channel = str(args['channel']);
    const ts = str(args['message_ts']);
    if (!channel || !ts || !ctx.state.message(channel, ts)) return fail('message_not_found');
    return ok({ channel, permalink: `https://${ctx.ids.teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}` });
  },

  'assistant.threads.setStatus': (args, ctx) => {
    const channel = str(args['channel_id']);
    const threadTs = str(args['thread_ts']);
    if (!channel) return fail('channel_not_found');
    if (!threadTs) return fail('invalid_arguments');
    ctx.state.statuses.push({ at: now(), channel, thread_ts: threadTs, status: typeof args['status'] === 'string' ? args['status'] : '' });
    return ok();
  },

  'views.publish': (args, ctx) => {
    const userId = str(args['user_id']);
    const view = args['view'];
    if (!userId) return fail('user_not_found');
    if (!view || typeof view !== 'object') return fail('invalid_arguments');
    const bad = validateBlocks((view as Wire)['blocks'] ?? []);
    if (bad) return failWith(bad);
    ctx.state.views.push({ at: now(), user_id: userId, view: view as Wire });
    return ok({ view: { id: `V${ctx.state.views.length.toString().padStart(8, '0')}`, team_id: ctx.ids.teamId, app_id: ctx.ids.appId, ...(view as Wire) } });
  },
};
