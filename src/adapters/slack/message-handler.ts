import type { AccessPolicy, AnsweringService } from '../../../commands/services.js';
import type { Turn } from '../../core/answer/types.js';
import type { Logger } from '../../logging/logger.js';
import { stripBotMention } from './mrkdwn.js';
import { POST_OPTIONS } from './outgoing.js';
import type { RecentKeys } from './recent-keys.js';
import type { SlackCalls } from './slack-calls.js';
import { streamAnswer, type StreamingChoice } from './stream-answer.js';
import { recentTurns, type ThreadCache } from './thread-cache.js';
import { readThread, TALK_SUBTYPES, type BotIdentity } from './thread-history.js';

/**
 * Conversation outside `/docent`:
 * - an @mention in a channel is answered in a thread under it (or in the thread it was written in);
 * - in a thread Docent has answered in, every later message is a follow-up, answered with the thread's
 *   history — threads are remembered when answered, and after a restart recognised by Docent's own messages
 *   in conversations.replies (read once: the conversation is then kept in the thread cache, thread-cache.ts);
 * - a direct message is answered in a thread under it, in the DM (native streaming needs a thread, and a
 *   thread keeps each conversation's history apart); replies in that thread are follow-ups.
 * Bots (Docent included), edits, joins and other subtypes are ignored, so no two bots talk in a loop.
 *
 * Every delivery is acknowledged by Bolt before these handlers run; the answer is produced afterwards. A
 * retried delivery (same event_id) and the same message seen twice (`app_mention` + `message`, same channel
 * and ts) are answered once.
 */

/** The fields of a `message` / `app_mention` event Docent reads. */
export interface IncomingMessage {
  type: string;
  subtype?: string;
  channel: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  team?: string;
}

export interface ConversationDeps {
  services: AnsweringService & Pick<AccessPolicy, 'scopeFor'>;
  logger: Logger;
  streaming: StreamingChoice;
  intervalMs: number;
  historyMessages: number;
  bot: BotIdentity;
  /** Event ids and channel+ts keys already handled. */
  seen: RecentKeys;
  /**
   * Claims shared by the replicas on one store (a Chroma server): a message another replica already took is
   * not answered here. Absent: one process, `seen` is enough.
   */
  replicas?: { claim(key: string, ttlMs: number): Promise<boolean> };
  /** Threads (`channel:threadTs`) Docent answered in. */
  ourThreads: RecentKeys;
  /** Threads recently checked and found not to be Docent's (saves a conversations.replies per message). */
  notOurs: RecentKeys;
  /** Web API calls within the workspace's rate budget (slack-calls.ts). */
  calls: SlackCalls;
  /** What was said in each thread Docent answers in, so follow-ups need no conversations.replies. */
  threads: ThreadCache;
  /** Runs work after the ack, tracked for `stop()`; never throws. */
  track: (what: string, work: () => Promise<void>) => void;
}

const EMPTY_QUESTION = 'Ask me a question about the catalog, e.g. “where are the trail maps?”, and I will answer with sources.';

/** `app_mention`: answered in a thread (unless seen before). */
export function onAppMention(event: IncomingMessage, eventId: string | undefined, deps: ConversationDeps): void {
  if (!firstDelivery(eventId, deps) || !fromPerson(event, deps)) return;
  if (!deps.seen.claim(messageKey(event))) return;
  deps.track('mention', async () => {
    if (await firstReplica(event, deps)) await answer(event, deps);
  });
}

/** `message`: a DM, or a follow-up in one of Docent's threads; everything else is left alone. */
export function onMessage(event: IncomingMessage, eventId: string | undefined, deps: ConversationDeps): void {
  if (!firstDelivery(eventId, deps) || !fromPerson(event, deps)) return;
  if (event.channel_type === 'im') {
    if (deps.seen.claim(messageKey(event))) {
      deps.track('direct message', async () => {
        if (await firstReplica(event, deps)) await answer(event, deps);
      });
    }
    return;
  }
  if (!event.thread_ts || event.thread_ts === event.ts) return;
  // A mention arrives as app_mention too; that handler answers it, with or without a thread.
  if (deps.bot.userId && event.text?.includes(`<@${deps.bot.userId}`)) return;
  const threadKey = `${event.channel}:${event.thread_ts}`;
  if (deps.notOurs.has(threadKey)) return;
  deps.track('follow-up', async () => {
    let history: Turn[] | undefined;
    if (!deps.ourThreads.has(threadKey)) {
      const read = await readThread({ calls: deps.calls, channel: event.channel, threadTs: event.thread_ts!, beforeTs: event.ts, bot: deps.bot, limit: deps.historyMessages });
      if (!read.ours) {
        deps.notOurs.add(threadKey);
        return;
      }
      deps.ourThreads.add(threadKey);
      history = read.turns;
      deps.threads.seed(threadKey, read.turns);
    }
    if (deps.seen.claim(messageKey(event)) && (await firstReplica(event, deps))) await answer(event, deps, history);
  });
}

/** False for a retried delivery of an event already handled. */
function firstDelivery(eventId: string | undefined, deps: ConversationDeps): boolean {
  if (eventId === undefined || deps.seen.claim(`event:${eventId}`)) return true;
  deps.logger.debug({ eventId }, 'repeated delivery of an event already handled; ignored');
  return false;
}

/** A person's message: not a bot (Docent included), not an edit, join or other system subtype. */
function fromPerson(event: IncomingMessage, deps: ConversationDeps): boolean {
  if (event.bot_id || !event.user || event.user === deps.bot.userId) return false;
  return !event.subtype || TALK_SUBTYPES.has(event.subtype);
}

function messageKey(event: IncomingMessage): string {
  return `msg:${event.channel}:${event.ts}`;
}

/** Slack retries an unacknowledged event up to three times within about five minutes; claims outlive that. */
const REPLICA_CLAIM_TTL_MS = 10 * 60_000;

/**
 * Whether this replica is the one to answer `event`. Slack delivers each event to one connection (Socket Mode)
 * or to the one endpoint (HTTP, behind a load balancer), but a retry can reach another replica, and the same
 * message can arrive as both `app_mention` and `message` at different replicas: all carry the message's channel
 * and ts, so that is the key claimed on the shared store — with the workspace: channel ids and ts are unique
 * only within one, and replicas serving different workspaces through one Chroma server must not take each
 * other's messages for duplicates. The workspace is the bot token's (auth.test at start), the same on every
 * replica of one install; `event.team` is absent from some events, and in a shared channel names the poster's
 * workspace, not ours. Fails open: with the store unreachable a rare duplicate answer is better than none.
 */
async function firstReplica(event: IncomingMessage, deps: ConversationDeps): Promise<boolean> {
  if (!deps.replicas) return true;
  const workspace = deps.calls.team ?? event.team ?? '';
  try {
    if (await deps.replicas.claim(`slack-message:${workspace}:${messageKey(event)}`, REPLICA_CLAIM_TTL_MS)) return true;
    deps.logger.debug({ channel: event.channel, ts: event.ts }, 'another replica took this message; not answered here');
    return false;
  } catch (err) {
    deps.logger.warn({ err }, 'could not check the shared store for another replica\'s answer; answering');
    return true;
  }
}

/** Answers `event` in its thread (a new one under it when it is not in one). */
async function answer(event: IncomingMessage, deps: ConversationDeps, history?: Turn[]): Promise<void> {
  const threadTs = event.thread_ts ?? event.ts;
  const log = deps.logger.child({ channel: event.channel, ts: event.ts, threadTs });
  // Remembered before answering, so a follow-up written while the answer streams is recognised.
  deps.ourThreads.add(`${event.channel}:${threadTs}`);
  deps.notOurs.delete(`${event.channel}:${threadTs}`);
  const text = stripBotMention(event.text ?? '', deps.bot.userId);
  if (!text) {
    await deps.calls.call('chat.postMessage', { channel: event.channel, thread_ts: threadTs, text: EMPTY_QUESTION, ...POST_OPTIONS });
    return;
  }
  const threadKey = `${event.channel}:${threadTs}`;
  const known = history ?? deps.threads.get(threadKey) ?? (event.thread_ts ? await threadTurns(event, deps, log) : []);
  if (!history && !deps.threads.get(threadKey)) deps.threads.seed(threadKey, known);
  const turns = recentTurns(known, deps.historyMessages);
  const sources = deps.services.scopeFor(event.channel);
  const { answerId, parts } = deps.services.ask({ text, history: turns, ...(event.user ? { askerId: event.user } : {}), ...(sources ? { sources } : {}) });
  deps.threads.add(threadKey, { role: 'user', text });
  const streamed = await streamAnswer({
    calls: deps.calls,
    target: { channel: event.channel, threadTs, userId: event.user!, ...(event.team ? { teamId: event.team } : {}) },
    parts,
    answerId,
    streaming: deps.streaming,
    intervalMs: deps.intervalMs,
    logger: log,
  });
  if (streamed.outcome === 'finished' && streamed.text.trim()) deps.threads.add(threadKey, { role: 'assistant', text: streamed.text });
  log.info({ answerId, outcome: streamed.outcome, mode: streamed.mode, edits: streamed.edits, messages: streamed.messageTs.length, historyTurns: turns.length, endShown: streamed.endShown }, 'answered');
}

async function threadTurns(event: IncomingMessage, deps: ConversationDeps, log: Logger): Promise<Turn[]> {
  if (deps.historyMessages === 0) return [];
  try {
    const read = await readThread({ calls: deps.calls, channel: event.channel, threadTs: event.thread_ts!, beforeTs: event.ts, bot: deps.bot, limit: deps.historyMessages });
    return read.turns;
  } catch (err) {
    log.warn({ err }, 'could not read the thread history; answering without it');
    return [];
  }
}
