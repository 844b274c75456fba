/**
 * A loopback Slack for tests: the Web API (`apiUrl`, for `clientOptions: { slackApiUrl }`), Socket Mode
 * (the URL apps.connections.open returns) and response_url endpoints on one port, driven by the real Bolt
 * App; plus signed HTTP delivery for HTTP-mode apps. The test plays the users (mentions, DMs, `/docent`,
 * button clicks) and asserts on what the platform holds afterwards (`state`).
 *
 *   const slack = await startFakeSlack();
 *   const app = new App({ token: 'xoxb-test', appToken: 'xapp-test', socketMode: true, clientOptions: { slackApiUrl: slack.apiUrl } });
 *   await app.start();
 *   const sent = slack.sendEvent({ type: 'app_mention', text: 'what is in the catalog?' });
 *   await slack.waitFor(() => slack.state.replyTexts(sent.channel!, sent.ts!)[0]);
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildBlockActions, buildEvent, buildEventCallback, buildSlashCommand, deliver, newEnvelopeId, newEventId,
  newTriggerId, type BlockActionOptions, type DeliveryOptions, type DeliveryResult, type SendEventOptions, type SlashCommandOptions,
} from './events.js';
import { LIMITS } from './limits.js';
import { SLACK_TIERS } from './tiers.js';
import { ResponseUrls } from './response-urls.js';
import { FakeSocketMode } from './socket-mode.js';
import { FakeSlackState, TsClock, now, type EnvelopeRecord, type HttpDeliveryRecord, type StoredMessage, type Wire } from './state.js';
import { createHttpHandler, RateLimiter, type ForcedRateLimit, type WindowLimit } from './web-api.js';
import type { FakeSlackIds, WebApiContext } from './web-api-methods.js';

export { FakeSlackState, visibleText, blocksText } from './state.js';
export type {
  StoredMessage, UpdateRecord, AppendRecord, StreamInfo, EphemeralRecord, EnvelopeRecord, AckRecord, ConnectionRecord,
  ApiCallRecord, RateLimitRecord, ResponseUrlRecord, OutgoingRecord, HttpDeliveryRecord, Wire,
} from './state.js';
export type { FakeSlackIds } from './web-api-methods.js';
export type { ForcedRateLimit, WindowLimit } from './web-api.js';
export type { SendEventOptions, SlashCommandOptions, BlockActionOptions, DeliveryOptions, DeliveryResult, SignMode } from './events.js';
export { LIMITS } from './limits.js';
export { SLACK_TIERS, fastTiers } from './tiers.js';
export { signatureHeaders, channelTypeOf, richTextBlocks } from './events.js';

export interface StartFakeSlackOptions {
  botUserId?: string;
  botId?: string;
  teamId?: string;
  appId?: string;
  /** The default simulated user. */
  userId?: string;
  channelId?: string;
  signingSecret?: string;
  /** Whether chat.startStream / appendStream / stopStream exist (default true); false answers unknown_method. */
  streaming?: boolean;
  /** When set, other `xoxb-` tokens get invalid_auth (default: any `xoxb-`/`xoxp-` token works). */
  botToken?: string;
  /** When set, apps.connections.open wants exactly this `xapp-` token. */
  appToken?: string;
  /** chat.postMessage/update text limit (default 40,000: msg_too_long above it). */
  maxTextChars?: number;
  /**
   * How long a stream may stay open (default 5 min, Slack's ~5). After it, Slack has finalised the stream:
   * appendStream / stopStream fail with message_not_in_streaming_state and the message stays broken (see
   * `state.brokenStreams()`) until a chat.update on its ts repairs it.
   */
  streamLifetimeMs?: number;
  /** Socket Mode ack deadline (default 3000 ms). */
  ackDeadlineMs?: number;
  /** Redeliver unacked events after the deadline with retry_attempt/retry_reason, like Slack (default false). */
  retryUnackedEvents?: boolean;
  /** Ping Socket Mode clients this often (default: never). */
  pingIntervalMs?: number;
  /**
   * Per-method rate limits (sliding windows, 429 + Retry-After). Default: Slack's tiers (`SLACK_TIERS`, tiers.ts).
   * `fastTiers(n)` keeps the counts over n-times shorter windows, for tests about something else; `{}` turns them off.
   */
  limits?: Record<string, WindowLimit>;
  /** Echo each visible bot message back as a `message` event with `bot_id`, as Slack does for subscribed channels (default false). */
  echoBotMessages?: boolean;
}

export interface InjectMessageOptions {
  text: string;
  channel?: string;
  user?: string;
  ts?: string;
  thread_ts?: string;
  /** Makes it a bot message (the bot's own when equal to `ids.botId`). */
  bot_id?: string;
  blocks?: Wire[];
}

export interface FakeSlack {
  /** `http://127.0.0.1:PORT/api/` — pass as `clientOptions: { slackApiUrl }`. */
  apiUrl: string;
  /** `http://127.0.0.1:PORT` (response_url endpoints live under it). */
  baseUrl: string;
  ids: FakeSlackIds;
  signingSecret: string;
  state: FakeSlackState;
  /** The rate limits in force (pass them to the adapter's `rateTiers` when a test runs faster windows). */
  tiers: Record<string, WindowLimit>;
  /** A user event over Socket Mode (queued until a client connects). The user's message is stored too. */
  sendEvent(o: SendEventOptions): EnvelopeRecord;
  /** Slack's retry of an event envelope: same payload and event_id, next retry_attempt. */
  retryEvent(sent: EnvelopeRecord, reason?: string): EnvelopeRecord;
  sendSlashCommand(o?: SlashCommandOptions): EnvelopeRecord;
  sendBlockAction(o: BlockActionOptions): EnvelopeRecord;
  /** Any other envelope (e.g. `interactive` view_submission). */
  sendEnvelope(type: string, payload: Wire): EnvelopeRecord;
  /** Terminates open sockets without a close frame; the client reconnects via apps.connections.open. */
  dropSocket(): number;
  sendDisconnect(reason?: 'refresh_requested' | 'warning' | 'link_disabled' | string): number;
  /** Envelopes waiting for a connection. */
  queuedEnvelopes(): number;
  /** A message already in a channel (history the bot can read), no event sent. */
  injectMessage(o: InjectMessageOptions): StoredMessage;
  /** POSTs an event to an HTTP-mode app: event options (built like sendEvent) or a raw body (`url_verification`, …). */
  postEvent(url: string, event: SendEventOptions | Wire, o?: DeliveryOptions): Promise<DeliveryResult & { eventId?: string; ts?: string; channel?: string }>;
  postSlashCommand(url: string, o?: SlashCommandOptions, d?: DeliveryOptions): Promise<DeliveryResult & { responseUrl: string }>;
  postBlockAction(url: string, o: BlockActionOptions, d?: DeliveryOptions): Promise<DeliveryResult & { responseUrl: string }>;
  /** The next `times` calls of `method` answer 429 with `Retry-After: retryAfterSec`. */
  rateLimit(o: ForcedRateLimit): void;
  setLimit(method: string, limit: WindowLimit | undefined): void;
  /** Polls `probe` until it returns a truthy value (default 5 s timeout). */
  waitFor<T>(probe: () => T | undefined | null | false | 0 | '', opts?: { timeoutMs?: number; intervalMs?: number; what?: string }): Promise<T>;
  close(): Promise<void>;
}

export async function startFakeSlack(opts: StartFakeSlackOptions = {}): Promise<FakeSlack> {
  const userId = opts.userId ?? 'U0ALICE01';
  const ids: FakeSlackIds = {
    botUserId: opts.botUserId ?? 'U0DOCENT1', botId: opts.botId ?? 'B0DOCENT1', teamId: opts.teamId ?? 'T0FAKE001', teamDomain: 'fake-team',
    appId: opts.appId ?? 'A0DOCENT1', userId, channelId: opts.channelId ?? 'C0GENERAL', dmChannelId: `D${userId.slice(1)}`,
  };
  const signingSecret = opts.signingSecret ?? 'fake-signing-secret';
  const state = new FakeSlackState(opts.streamLifetimeMs ?? 5 * 60_000);
  const tiers: Record<string, WindowLimit> = { ...(opts.limits ?? SLACK_TIERS) };
  const clock = new TsClock();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  const socket: FakeSocketMode = new FakeSocketMode(
    state,
    { appId: ids.appId, ackDeadlineMs: opts.ackDeadlineMs ?? 3000, retryUnackedEvents: opts.retryUnackedEvents ?? false, ...(opts.pingIntervalMs ? { pingIntervalMs: opts.pingIntervalMs } : {}) },
    (env, payload) => applyCommandAck(env, payload),
  );
  const ctx: WebApiContext = {
    state, clock, ids, streaming: opts.streaming ?? true, maxTextChars: opts.maxTextChars ?? LIMITS.textChars,
    streamLifetimeMs: state.streamLifetimeMs,
    socketUrl: () => socket.issueUrl(`ws://127.0.0.1:${port}`),
    onBotMessage: (m) => {
      if (!opts.echoBotMessages) return;
      sendEvent({ type: 'message', text: m.text, user: ids.botUserId, channel: m.channel, ts: m.ts, bot_id: ids.botId, ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}) });
    },
  };
  const responseUrls = new ResponseUrls(baseUrl, ctx);
  const limiter = new RateLimiter(state.rateLimits, tiers);
  server.on('request', createHttpHandler({ ctx, limiter, responseUrls, ...(opts.botToken ? { botToken: opts.botToken } : {}), ...(opts.appToken ? { appToken: opts.appToken } : {}) }));
  server.on('upgrade', (req, sock, head) => {
    if (!socket.handleUpgrade(req, sock, head)) sock.destroy();
  });

  /** A slash command acked with a body shows it to the user (ephemeral unless `response_type: in_channel`). */
  function applyCommandAck(env: EnvelopeRecord, payload: Wire): void {
    if (env.type !== 'slash_commands' || (typeof payload['text'] !== 'string' && !Array.isArray(payload['blocks']))) return;
    const text = typeof payload['text'] === 'string' ? payload['text'] : '';
    const blocks = Array.isArray(payload['blocks']) ? { blocks: payload['blocks'] as Wire[] } : {};
    const channel = String(env.payload['channel_id']);
    if (payload['response_type'] === 'in_channel') {
      state.put({ channel, ts: clock.next(), user: ids.botUserId, bot_id: ids.botId, app_id: ids.appId, byBot: true, text, via: 'ack', ...blocks });
    } else {
      state.ephemerals.push({ at: now(), channel, user: String(env.payload['user_id']), text, via: 'ack', message_ts: clock.next(), ...blocks });
    }
  }

  const eventBodies = new Map<string, Wire>();
  /** Builds (or, for a retry of a known event id, reuses) an event body and stores the user's message. */
  function eventBody(o: SendEventOptions): { body: Wire; eventId: string; ts: string; channel: string } {
    const earlier = o.eventId !== undefined ? eventBodies.get(o.eventId) : undefined;
    if (earlier) {
      const ev = earlier['event'] as Wire;
      return { body: earlier, eventId: o.eventId!, ts: String(ev['ts']), channel: String(ev['channel']) };
    }
    const ts = o.ts ?? clock.next();
    const channel = o.channel ?? (o.type === 'app_mention' ? ids.channelId : ids.dmChannelId);
    const parent = o.thread_ts ? state.message(channel, o.thread_ts) : undefined;
    const event = buildEvent({ ...o, channel }, ids, ts, parent?.user);
    const eventId = o.eventId ?? newEventId();
    const body = buildEventCallback(event, ids, eventId);
    eventBodies.set(eventId, body);
    state.put({
      channel, ts, user: String(event['user']), byBot: o.bot_id === ids.botId, text: String(event['text']), via: 'event',
      blocks: event['blocks'] as Wire[], ...(o.thread_ts ? { thread_ts: o.thread_ts } : {}), ...(o.bot_id ? { bot_id: o.bot_id } : {}),
    });
    return { body, eventId, ts, channel };
  }

  function envelope(type: string, payload: Wire, extra: Partial<EnvelopeRecord> = {}): EnvelopeRecord {
    return socket.push({ envelopeId: newEnvelopeId(), type, payload, retryAttempt: 0, retryReason: '', createdAt: now(), ...extra });
  }

  function sendEvent(o: SendEventOptions): EnvelopeRecord {
    const { body, eventId, ts, channel } = eventBody(o);
    const retryAttempt = o.retryNum ?? 0;
    return envelope('events_api', body, { eventId, ts, channel, retryAttempt, retryReason: retryAttempt > 0 ? (o.retryReason ?? 'timeout') : '' });
  }

  function findButtonMessage(o: BlockActionOptions): StoredMessage {
    const channel = o.channel;
    if (o.messageTs) {
      const m = [...state.store.values()].find((x) => x.ts === o.messageTs && (channel === undefined || x.channel === channel));
      if (!m) throw new Error(`fake-slack: no stored message ${o.messageTs}`);
      return m;
    }
    const m = state.botMessages(channel).filter((x) => JSON.stringify(x.blocks ?? []).includes(`"action_id":${JSON.stringify(o.actionId)}`)).pop();
    if (!m) throw new Error(`fake-slack: no bot message with a block element '${o.actionId}'`);
    return m;
  }

  function blockActionPayload(o: BlockActionOptions): { payload: Wire; responseUrl: string; triggerId: string; message: StoredMessage } {
    const message = findButtonMessage(o);
    const user = o.userId ?? ids.userId;
    const responseUrl = responseUrls.issue('actions', { channel: message.channel, user, messageTs: message.ts, ...(message.thread_ts ? { threadTs: message.thread_ts } : {}) });
    const triggerId = newTriggerId();
    const payload = buildBlockActions(o, ids, message.channel, state.toWire(message, ids.botUserId), responseUrl, triggerId);
    return { payload, responseUrl, triggerId, message };
  }

  function slashPayload(o: SlashCommandOptions): { fields: Record<string, string>; responseUrl: string; triggerId: string } {
    const channel = o.channelId ?? ids.channelId;
    const responseUrl = responseUrls.issue('commands', { channel, user: o.userId ?? ids.userId });
    const triggerId = newTriggerId();
    return { fields: buildSlashCommand(o, ids, responseUrl, triggerId), responseUrl, triggerId };
  }

  async function post(url: string, kind: HttpDeliveryRecord['kind'], body: string, contentType: string, d: DeliveryOptions): Promise<DeliveryResult> {
    const at = now();
    const result = await deliver(url, body, contentType, signingSecret, d);
    state.httpDeliveries.push({ at, url, kind, sign: d.sign ?? 'valid', ...(d.retryNum ? { retryNum: d.retryNum } : {}), status: result.status, ms: result.ms, body: result.body });
    return result;
  }

  return {
    apiUrl: `${baseUrl}/api/`, baseUrl, ids, signingSecret, state, tiers,
    sendEvent,
    retryEvent: (sent, reason) => socket.retry(sent, reason),

    sendSlashCommand(o = {}) {
      const { fields, responseUrl, triggerId } = slashPayload(o);
      return envelope('slash_commands', fields, { responseUrl, triggerId, channel: fields['channel_id']! });
    },

    sendBlockAction(o) {
      const { payload, responseUrl, triggerId, message } = blockActionPayload(o);
      return envelope('interactive', payload, { responseUrl, triggerId, channel: message.channel, ts: message.ts });
    },

    sendEnvelope: (type, payload) => envelope(type, payload),
    dropSocket: () => socket.dropSocket(),
    sendDisconnect: (reason) => socket.sendDisconnect(reason),
    queuedEnvelopes: () => socket.queued(),

    injectMessage(o) {
      const byBot = o.bot_id === ids.botId;
      return state.put({
        channel: o.channel ?? ids.channelId, ts: o.ts ?? clock.next(), user: o.user ?? (byBot ? ids.botUserId : ids.userId), byBot, text: o.text, via: 'injected',
        ...(o.thread_ts ? { thread_ts: o.thread_ts } : {}), ...(o.bot_id ? { bot_id: o.bot_id } : {}), ...(o.blocks ? { blocks: o.blocks } : {}),
      });
    },

    async postEvent(url, event, d = {}) {
      const isOptions = (event['type'] === 'app_mention' || event['type'] === 'message') && typeof event['text'] === 'string';
      if (!isOptions) return post(url, 'raw', JSON.stringify(event), 'application/json', d);
      const built = eventBody(event as SendEventOptions);
      const retry = d.retryNum ?? (event as SendEventOptions).retryNum;
      const result = await post(url, 'event', JSON.stringify(built.body), 'application/json', { ...d, ...(retry ? { retryNum: retry } : {}) });
      return { ...result, eventId: built.eventId, ts: built.ts, channel: built.channel };
    },

    async postSlashCommand(url, o = {}, d = {}) {
      const { fields, responseUrl } = slashPayload(o);
      const result = await post(url, 'command', new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', d);
      return { ...result, responseUrl };
    },

    async postBlockAction(url, o, d = {}) {
      const { payload, responseUrl } = blockActionPayload(o);
      const result = await post(url, 'action', new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', d);
      return { ...result, responseUrl };
    },

    rateLimit: (o) => limiter.force(o),
    setLimit: (method, limit) => {
      if (limit) tiers[method] = limit;
      else delete tiers[method];
      limiter.setLimit(method, limit);
    },

    async waitFor(probe, o = {}) {
      const deadline = Date.now() + (o.timeoutMs ?? 5000);
      for (;;) {
        const value = probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`fake-slack: timed out waiting for ${o.what ?? 'a condition'}`);
        await new Promise((r) => setTimeout(r, o.intervalMs ?? 10));
      }
    },

    async close() {
      await socket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
