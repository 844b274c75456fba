/**
 * Everything the fake Slack holds and everything the bot did to it, with `performance.now()` times, plus the
 * queries tests assert on ("what does the channel show now?"): final text per message (streamed ones
 * included), the edits and stream appends of each, acks, ephemerals, response_url posts and every outgoing
 * payload. Tests should assert on this, not on which function the adapter called.
 */
import { performance } from 'node:perf_hooks';
import type {
  AckRecord, ApiCallRecord, AppendRecord, ConnectionRecord, EnvelopeRecord, EphemeralRecord, HttpDeliveryRecord, OutgoingRecord,
  RateLimitRecord, ResponseUrlRecord, StoredMessage, UpdateRecord, Wire,
} from './records.js';

export type * from './records.js';

/** Slack-shaped message timestamps: unique and increasing, `seconds.micros`. */
export class TsClock {
  private last = 0;
  next(): string {
    const micros = Math.max(Date.now() * 1000, this.last + 1);
    this.last = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }
}

export const now = (): number => performance.now();

const compareTs = (a: string, b: string): number => Number(a) - Number(b) || a.localeCompare(b);

/** The readable text a message shows: its `text`, or what its blocks say when it has none. */
export function visibleText(m: { text: string; blocks?: Wire[] }): string {
  if (m.text) return m.text;
  return blocksText(m.blocks ?? []);
}

/** Text carried by section / header / context / markdown / rich_text blocks, joined by newlines. */
export function blocksText(blocks: Wire[]): string {
  const out: string[] = [];
  const textOf = (t: unknown) => (t && typeof t === 'object' && typeof (t as Wire)['text'] === 'string' ? ((t as Wire)['text'] as string) : undefined);
  for (const b of blocks) {
    if (b['type'] === 'markdown' && typeof b['text'] === 'string') out.push(b['text']);
    const t = textOf(b['text']);
    if (t !== undefined) out.push(t);
    for (const f of (b['fields'] as unknown[] | undefined) ?? []) if (textOf(f) !== undefined) out.push(textOf(f)!);
    if (b['type'] === 'context') for (const e of (b['elements'] as unknown[] | undefined) ?? []) if (textOf(e) !== undefined) out.push(textOf(e)!);
    if (b['type'] === 'rich_text') out.push(JSON.stringify(b['elements']).match(/"text":"((?:[^"\\]|\\.)*)"/g)?.map((s) => JSON.parse(s.slice(7)) as string).join('') ?? '');
  }
  return out.join('\n');
}

export class FakeSlackState {
  /** How long a native stream lives before Slack finalises it (see `brokenStreams`). */
  constructor(readonly streamLifetimeMs = 5 * 60_000) {}

  /** Keyed by `channel/ts`. */
  readonly store = new Map<string, StoredMessage>();
  readonly ephemerals: EphemeralRecord[] = [];
  readonly envelopes: EnvelopeRecord[] = [];
  readonly acks: AckRecord[] = [];
  readonly connections: ConnectionRecord[] = [];
  readonly calls: ApiCallRecord[] = [];
  readonly unknownMethods: string[] = [];
  readonly rateLimits: RateLimitRecord[] = [];
  readonly responses: ResponseUrlRecord[] = [];
  readonly outgoing: OutgoingRecord[] = [];
  readonly httpDeliveries: HttpDeliveryRecord[] = [];
  /** `assistant.threads.setStatus` calls. */
  readonly statuses: { at: number; channel: string; thread_ts: string; status: string }[] = [];
  /** `views.publish` calls. */
  readonly views: { at: number; user_id: string; view: Wire }[] = [];

  key(channel: string, ts: string): string {
    return `${channel}/${ts}`;
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.store.get(this.key(channel, ts));
  }

  /** Messages in a channel (all channels when omitted), oldest first; deleted ones only when asked. */
  messages(channel?: string, o: { includeDeleted?: boolean } = {}): StoredMessage[] {
    return [...this.store.values()]
      .filter((m) => (channel === undefined || m.channel === channel) && (o.includeDeleted || m.deletedAt === undefined))
      .sort((a, b) => compareTs(a.ts, b.ts));
  }

  botMessages(channel?: string): StoredMessage[] {
    return this.messages(channel).filter((m) => m.byBot);
  }

  /** A thread as conversations.replies shows it: the parent, then its replies, oldest first. */
  thread(channel: string, threadTs: string): StoredMessage[] {
    return this.messages(channel).filter((m) => m.ts === threadTs || m.thread_ts === threadTs);
  }

  /** The bot's replies in a thread (not the parent), oldest first. */
  botReplies(channel: string, threadTs: string): StoredMessage[] {
    return this.thread(channel, threadTs).filter((m) => m.byBot && m.ts !== threadTs);
  }

  /** Final visible text of each bot reply in a thread. */
  replyTexts(channel: string, threadTs: string): string[] {
    return this.botReplies(channel, threadTs).map(visibleText);
  }

  /** The messages the bot streamed with chat.*Stream. */
  streams(channel?: string): StoredMessage[] {
    return this.messages(channel).filter((m) => m.stream !== undefined);
  }

  /**
   * Streamed messages Slack ended under the bot — past their lifetime without a chat.stopStream — and that no
   * chat.update has repaired since: what a user sees as a half-written answer that never finishes.
   */
  brokenStreams(channel?: string): StoredMessage[] {
    return this.streams(channel).filter((m) => {
      const expiredAt = this.expiry(m);
      return expiredAt !== undefined && !m.updates.some((u) => u.via === 'chat.update' && u.at >= expiredAt);
    });
  }

  /** When Slack ended the stream for outliving its lifetime (marking it so), or undefined if it did not. */
  expiry(m: StoredMessage): number | undefined {
    const s = m.stream;
    if (!s) return undefined;
    if (s.state === 'streaming' && now() - s.startedAt > this.streamLifetimeMs) {
      Object.assign(s, { state: 'stopped', stoppedAt: s.startedAt + this.streamLifetimeMs, expired: true });
    }
    return s.expired ? s.stoppedAt : undefined;
  }

  updates(channel: string, ts: string): UpdateRecord[] {
    return this.message(channel, ts)?.updates ?? [];
  }

  appends(channel: string, ts: string): AppendRecord[] {
    return this.message(channel, ts)?.stream?.appends ?? [];
  }

  envelope(envelopeId: string): EnvelopeRecord | undefined {
    return this.envelopes.find((e) => e.envelopeId === envelopeId);
  }

  /** Every Web API call of one method, whatever the answer. */
  callsOf(method: string): ApiCallRecord[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Every payload the bot sent to Slack (Web API calls, acks, response_url posts), in order. */
  allOutgoing(): OutgoingRecord[] {
    return [...this.outgoing];
  }

  openConnections(): ConnectionRecord[] {
    return this.connections.filter((c) => c.closedAt === undefined);
  }

  /** Inserts or replaces a message (keeps its history when the same channel/ts comes again, as in a retried event). */
  put(m: Omit<StoredMessage, 'updates' | 'createdAt'> & Partial<Pick<StoredMessage, 'createdAt'>>): StoredMessage {
    const existing = this.store.get(this.key(m.channel, m.ts));
    if (existing) return existing;
    const stored: StoredMessage = { ...m, createdAt: m.createdAt ?? now(), updates: [] };
    this.store.set(this.key(m.channel, m.ts), stored);
    return stored;
  }

  /** The message as conversations.history / replies return it. */
  toWire(m: StoredMessage, botUserId: string): Wire {
    const replies = m.thread_ts === undefined || m.thread_ts === m.ts ? this.thread(m.channel, m.ts).filter((r) => r.ts !== m.ts) : [];
    const parent = m.thread_ts !== undefined && m.thread_ts !== m.ts ? this.message(m.channel, m.thread_ts) : undefined;
    return {
      type: 'message', user: m.user, text: m.text, ts: m.ts,
      ...(m.bot_id ? { bot_id: m.bot_id } : {}),
      ...(m.app_id ? { app_id: m.app_id } : {}),
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.attachments ? { attachments: m.attachments } : {}),
      ...(m.metadata ? { metadata: m.metadata } : {}),
      ...(m.updates.length ? { edited: { user: botUserId, ts: m.updates.at(-1)!.editTs } } : {}),
      ...(m.thread_ts !== undefined ? { thread_ts: m.thread_ts } : {}),
      ...(parent ? { parent_user_id: parent.user } : {}),
      ...(replies.length
        ? { thread_ts: m.ts, reply_count: replies.length, reply_users: [...new Set(replies.map((r) => r.user))], reply_users_count: new Set(replies.map((r) => r.user)).size, latest_reply: replies.at(-1)!.ts }
        : {}),
    };
  }
}
