/**
 * What Slack sends to an app, built like Slack builds it: Events API `event_callback` bodies (app_mention,
 * message), slash command form fields, `block_actions` interaction payloads — plus Slack's request signing
 * (`v0:<timestamp>:<body>` HMAC-SHA256 with the signing secret → `X-Slack-Signature: v0=<hex>`) and the HTTP
 * delivery an HTTP-mode app (Bolt's HTTPReceiver / ExpressReceiver or our own) receives.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FakeSlackIds } from './web-api-methods.js';
import type { Wire } from './state.js';

export interface SendEventOptions {
  type: 'app_mention' | 'message';
  text: string;
  user?: string;
  /** Default: the default channel for app_mention, the default DM (`D…`) for message. */
  channel?: string;
  /** Default: a fresh timestamp. */
  ts?: string;
  thread_ts?: string;
  /** Message events only; derived from the channel id (`D` im, `C` channel, `G` group) when omitted. */
  channel_type?: 'im' | 'channel' | 'group' | 'mpim';
  /** Reuse an event id (a retry of the same event). */
  eventId?: string;
  /** Delivery attempt (0 first; Slack retries up to 3 times). */
  retryNum?: number;
  /** `timeout`, `http_timeout`, `http_error`, … (default `timeout` when retryNum > 0). */
  retryReason?: string;
  subtype?: string;
  /** Marks the message as sent by a bot (another app, or the bot itself). */
  bot_id?: string;
  /** Extra event fields, merged last. */
  extra?: Wire;
}

export interface SlashCommandOptions {
  /** Default `/docent`. */
  command?: string;
  text?: string;
  userId?: string;
  channelId?: string;
  userName?: string;
  channelName?: string;
}

export interface BlockActionOptions {
  actionId: string;
  value?: string;
  userId?: string;
  channel?: string;
  /** The message the button is on (default: the newest bot message carrying `actionId`). */
  messageTs?: string;
  blockId?: string;
  /** The button label. */
  text?: string;
}

export type SignMode = 'valid' | 'bad' | 'stale' | 'none';

export interface DeliveryOptions {
  sign?: SignMode;
  retryNum?: number;
  retryReason?: string;
}

export interface DeliveryResult {
  status: number;
  /** The response body as text ('' when empty). */
  body: string;
  /** Parsed JSON when the body is JSON. */
  json?: unknown;
  headers: Record<string, string>;
  /** Round trip in ms. */
  ms: number;
}

export const newEventId = (): string => `Ev0${randomBytes(5).toString('hex').toUpperCase()}`;
export const newEnvelopeId = (): string => randomUUID();
export const newTriggerId = (): string => `${Date.now()}.${1000 + Math.floor(Math.random() * 9000)}.${randomBytes(16).toString('hex')}`;

export function channelTypeOf(channel: string): 'im' | 'channel' | 'group' {
  return channel.startsWith('D') ? 'im' : channel.startsWith('G') ? 'group' : 'channel';
}

/** A user message's `rich_text` block, with `<@U…>` mentions as user elements like the Slack client sends. */
export function richTextBlocks(text: string): Wire[] {
  const elements: Wire[] = [];
  for (const part of text.split(/(<@[A-Z0-9]+>)/)) {
    const m = part.match(/^<@([A-Z0-9]+)>$/);
    if (m) elements.push({ type: 'user', user_id: m[1] });
    else if (part) elements.push({ type: 'text', text: part });
  }
  return [{ type: 'rich_text', block_id: randomBytes(3).toString('base64url'), elements: [{ type: 'rich_text_section', elements }] }];
}

/** The `event` object of an app_mention or message event (text gets the bot mention for app_mention). */
export function buildEvent(o: SendEventOptions, ids: FakeSlackIds, ts: string, parentUserId?: string): Wire {
  const channel = o.channel ?? (o.type === 'app_mention' ? ids.channelId : ids.dmChannelId);
  const mention = `<@${ids.botUserId}>`;
  const text = o.type === 'app_mention' && !o.text.includes(mention) ? `${mention} ${o.text}` : o.text;
  return {
    ...(o.bot_id ? { bot_id: o.bot_id } : { client_msg_id: randomUUID() }),
    type: o.type,
    ...(o.subtype ? { subtype: o.subtype } : {}),
    text, user: o.user ?? ids.userId, ts,
    blocks: richTextBlocks(text),
    team: ids.teamId,
    ...(o.thread_ts ? { thread_ts: o.thread_ts, ...(parentUserId ? { parent_user_id: parentUserId } : {}) } : {}),
    channel, event_ts: ts,
    ...(o.type === 'message' ? { channel_type: o.channel_type ?? channelTypeOf(channel) } : {}),
    ...o.extra,
  };
}

/** The Events API body around an event. */
export function buildEventCallback(event: Wire, ids: FakeSlackIds, eventId: string): Wire {
  return {
    token: 'fake-verification-token', team_id: ids.teamId, context_team_id: ids.teamId, context_enterprise_id: null,
    api_app_id: ids.appId, event, type: 'event_callback', event_id: eventId, event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: ids.teamId, user_id: ids.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false, event_context: `4-${Buffer.from(eventId).toString('base64url')}`,
  };
}

/** Slash command fields, as Slack form-encodes them for HTTP (and nests them as the Socket Mode payload). */
export function buildSlashCommand(o: SlashCommandOptions, ids: FakeSlackIds, responseUrl: string, triggerId: string): Record<string, string> {
  const channelId = o.channelId ?? ids.channelId;
  const userId = o.userId ?? ids.userId;
  return {
    token: 'fake-verification-token', team_id: ids.teamId, team_domain: ids.teamDomain, channel_id: channelId,
    channel_name: o.channelName ?? (channelId.startsWith('D') ? 'directmessage' : channelId.toLowerCase()),
    user_id: userId, user_name: o.userName ?? userId.toLowerCase(), command: o.command ?? '/docent', text: o.text ?? '',
    api_app_id: ids.appId, is_enterprise_install: 'false', response_url: responseUrl, trigger_id: triggerId,
  };
}

/** A `block_actions` payload for a button click on `message` (a message as conversations.history shows it). */
export function buildBlockActions(o: BlockActionOptions, ids: FakeSlackIds, channel: string, message: Wire | undefined, responseUrl: string, triggerId: string): Wire {
  const userId = o.userId ?? ids.userId;
  let blockId = o.blockId;
  let element: Wire | undefined;
  for (const b of (message?.['blocks'] as Wire[] | undefined) ?? []) {
    const found = ((b['elements'] as Wire[] | undefined) ?? []).find((e) => e['action_id'] === o.actionId);
    if (found) {
      blockId ??= typeof b['block_id'] === 'string' ? b['block_id'] : undefined;
      element = found;
    }
  }
  const label = o.text ?? ((element?.['text'] as Wire | undefined)?.['text'] as string | undefined) ?? o.actionId;
  const value = o.value ?? (typeof element?.['value'] === 'string' ? element['value'] : undefined);
  return {
    type: 'block_actions',
    user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: ids.teamId },
    api_app_id: ids.appId, token: 'fake-verification-token',
    container: { type: 'message', message_ts: message?.['ts'] ?? o.messageTs, channel_id: channel, is_ephemeral: false },
    trigger_id: triggerId, team: { id: ids.teamId, domain: ids.teamDomain }, enterprise: null, is_enterprise_install: false,
    channel: { id: channel, name: channel.toLowerCase() },
    ...(message ? { message } : {}),
    state: { values: {} }, response_url: responseUrl,
    actions: [{
      action_id: o.actionId, block_id: blockId ?? 'fake', text: { type: 'plain_text', text: label, emoji: true },
      ...(value !== undefined ? { value } : {}),
      type: 'button', action_ts: `${(Date.now() / 1000).toFixed(6)}`,
    }],
  };
}

/** Slack's signature headers for a body; `bad` signs with a wrong secret, `stale` is 6 minutes old. */
export function signatureHeaders(signingSecret: string, body: string, sign: SignMode, nowSec = Math.floor(Date.now() / 1000)): Record<string, string> {
  if (sign === 'none') return {};
  const timestamp = sign === 'stale' ? nowSec - 6 * 60 : nowSec;
  const secret = sign === 'bad' ? `${signingSecret}-wrong` : signingSecret;
  const hex = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${hex}` };
}

/**
 * POSTs a body to an app like Slack does: Slack's content type, user agent, signature and retry headers.
 * Bolt's HTTP receivers compare the content type exactly (`application/x-www-form-urlencoded`, no charset).
 */
export async function deliver(url: string, body: string, contentType: string, signingSecret: string, o: DeliveryOptions = {}): Promise<DeliveryResult> {
  const headers: Record<string, string> = {
    'content-type': contentType, 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...signatureHeaders(signingSecret, body, o.sign ?? 'valid'),
    ...(o.retryNum ? { 'x-slack-retry-num': String(o.retryNum), 'x-slack-retry-reason': o.retryReason ?? 'http_timeout' } : {}),
  };
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, body: text, ...(json !== undefined ? { json } : {}), headers: Object.fromEntries(res.headers.entries()), ms };
}
