/**
 * The records the fake Slack keeps: messages with their edit and stream history, envelopes and acks,
 * connections, Web API calls, rate limits, response_url posts and HTTP deliveries. Times are
 * `performance.now()` milliseconds.
 */
/** A JSON object as it travels on the wire. */
export type Wire = Record<string, unknown>;

export interface UpdateRecord {
  at: number;
  /** Which route changed it: `chat.update`, or a response_url post with `replace_original`. */
  via: string;
  /** Slack-style timestamp of the edit (what `edited.ts` shows). */
  editTs: string;
  text: string;
  blocks?: Wire[];
}

export interface AppendRecord {
  at: number;
  /** The markdown text this call added ('' when it only carried other chunks). */
  text: string;
  /** Raw chunks (`markdown_text`, `task_update`, `plan_update`, `blocks`) as sent. */
  chunks: Wire[];
  method: 'chat.startStream' | 'chat.appendStream' | 'chat.stopStream';
}

export interface StreamInfo {
  state: 'streaming' | 'stopped';
  startedAt: number;
  stoppedAt?: number;
  /** Set when Slack ended it because it outlived the stream lifetime (no stopStream came in time). */
  expired?: boolean;
  recipientUserId?: string;
  recipientTeamId?: string;
  /** Every call that carried content, in order (start, appends, stop). */
  appends: AppendRecord[];
}

/** One message the platform holds (from the bot or from a simulated user). */
export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  user: string;
  /** Set for messages the bot posted. */
  bot_id?: string;
  app_id?: string;
  byBot: boolean;
  /** Current text; for a streamed message the concatenation of everything appended. */
  text: string;
  blocks?: Wire[];
  attachments?: Wire[];
  metadata?: Wire;
  mrkdwn?: boolean;
  unfurl_links?: boolean;
  unfurl_media?: boolean;
  /** The route that created it: `chat.postMessage`, `chat.startStream`, `response_url`, `event`, `injected`. */
  via: string;
  createdAt: number;
  deletedAt?: number;
  updates: UpdateRecord[];
  stream?: StreamInfo;
}

export interface EphemeralRecord {
  at: number;
  channel: string;
  user: string;
  text: string;
  blocks?: Wire[];
  thread_ts?: string;
  /** `chat.postEphemeral`, `ack` (a slash command acked with a body) or `response_url`. */
  via: string;
  message_ts: string;
}

/** One envelope pushed (or queued) on the Socket Mode connection. Fields fill in as things happen. */
export interface EnvelopeRecord {
  envelopeId: string;
  type: 'events_api' | 'slash_commands' | 'interactive' | string;
  /** Events only. */
  eventId?: string;
  /** The message an event is about (events), or where the command / click happened. */
  channel?: string;
  ts?: string;
  /** Slash commands and interactions: where `respond()` posts. */
  responseUrl?: string;
  triggerId?: string;
  payload: Wire;
  retryAttempt: number;
  retryReason: string;
  createdAt: number;
  /** When it reached a socket (undefined while queued for a connection). */
  sentAt?: number;
  connectionId?: number;
  ackedAt?: number;
  /** The `payload` of the ack frame ({} for a bare ack). */
  ackPayload?: Wire;
  /** Set when the ack deadline passed without an ack. */
  timedOutAt?: number;
}

export interface AckRecord {
  at: number;
  envelopeId: string;
  payload: Wire;
  connectionId: number;
  /** ms from the envelope reaching the socket to the ack; undefined for an unknown envelope id. */
  latencyMs?: number;
  /** True when it came after the ack deadline (Slack would already have retried or shown an error). */
  late: boolean;
  known: boolean;
}

export interface ConnectionRecord {
  id: number;
  ticket: string;
  openedAt: number;
  helloAt?: number;
  closedAt?: number;
  closeCode?: number;
  /** Who ended it: the fake (`dropSocket`, `close`), or the client (after a `disconnect` message, or `app.stop()`). */
  closedBy?: 'server' | 'client';
}

/** One Web API call, whatever the fake answered. */
export interface ApiCallRecord {
  at: number;
  method: string;
  args: Wire;
  /** Token from the Authorization header or the `token` field. */
  token?: string;
  contentType: string;
  /** HTTP status (200 or 429). */
  status: number;
  ok: boolean;
  error?: string;
}

export interface RateLimitRecord {
  at: number;
  method: string;
  retryAfterSec: number;
  /** True when injected with `rateLimit()`, false when the bot outran a window set with `limits`/`setLimit()`. */
  forced: boolean;
  /** When the same method was called next, and how long after the 429 that was. */
  retriedAt?: number;
  waitedMs?: number;
}

export interface ResponseUrlRecord {
  at: number;
  url: string;
  kind: 'commands' | 'actions';
  body: Wire;
  status: number;
  /** How the platform applied it. */
  effect: 'ephemeral' | 'in_channel' | 'replace_original' | 'delete_original' | 'rejected';
}

export interface OutgoingRecord {
  at: number;
  kind: 'api' | 'ack' | 'response_url';
  /** Web API method, `ack:<envelope type>`, or `response_url`. */
  method: string;
  body: Wire;
}

export interface HttpDeliveryRecord {
  at: number;
  url: string;
  kind: 'event' | 'command' | 'action' | 'raw';
  sign: 'valid' | 'bad' | 'stale' | 'none';
  retryNum?: number;
  status: number;
  ms: number;
  body: string;
}
