import type { Turn } from '../../core/answer/types.js';
import { mergeTurns } from '../shared/turns.js';
import { stripSourceList } from './blocks.js';
import { escapeSlack, fromMrkdwn, stripBotMention, toMrkdwn } from './mrkdwn.js';
import type { SlackCalls } from './slack-calls.js';
import { PLACEHOLDER } from './update-surface.js';

/**
 * A Slack thread → conversation history for a follow-up (oldest first), and whether Docent has spoken in it.
 * Docent's messages become assistant turns (without their source lists), people's become user turns (without
 * the bot mention); other bots, joins and edits are left out. The thread's root (the first question) is always
 * kept, then the most recent messages up to the configured number.
 */

/** A message as conversations.replies returns it (the fields we read). */
export interface ReplyMessage {
  ts?: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  text?: string;
  blocks?: Array<Record<string, unknown>>;
}

export interface BotIdentity {
  userId: string | undefined;
  botId: string | undefined;
}

export interface ThreadRead {
  /** Docent has a message in the thread (so later messages there are follow-ups). */
  ours: boolean;
  turns: Turn[];
}

/** Subtypes that are still a person talking (a reply also sent to the channel, a message with a file). */
export const TALK_SUBTYPES = new Set(['thread_broadcast', 'file_share']);
const MAX_PAGES = 5;

/** Reads the thread (paginated, oldest first) and builds the history of what came before `beforeTs`. */
export async function readThread(o: {
  calls: SlackCalls;
  channel: string;
  threadTs: string;
  beforeTs: string;
  bot: BotIdentity;
  /** Messages to use as history (0: none, but `ours` is still answered). */
  limit: number;
}): Promise<ThreadRead> {
  const messages: ReplyMessage[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await o.calls.call('conversations.replies', { channel: o.channel, ts: o.threadTs, limit: 200, ...(cursor ? { cursor } : {}) });
    messages.push(...((res['messages'] ?? []) as ReplyMessage[]));
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor || !res['has_more']) break;
  }
  const ours = messages.some((m) => isOwn(m, o.bot));
  const before = messages.filter((m) => m.ts && compareTs(m.ts, o.beforeTs) < 0);
  return { ours, turns: o.limit > 0 ? historyTurns(before, o.threadTs, o.bot, o.limit) : [] };
}

/** The turns of `messages` (oldest first): the root plus the last `limit - 1`, merged by side. */
export function historyTurns(messages: ReplyMessage[], threadTs: string, bot: BotIdentity, limit: number): Turn[] {
  const root = messages.find((m) => m.ts === threadTs);
  const rest = messages.filter((m) => m !== root);
  const chosen = [...(root ? [root] : []), ...rest.slice(Math.max(0, rest.length - (root ? limit - 1 : limit)))];
  const turns = chosen.map((m) => toTurn(m, bot)).filter((t): t is Turn => t !== null);
  return mergeTurns(turns);
}

/** One message as a turn, or null for other bots, system messages, placeholders and empty text. */
export function toTurn(m: ReplyMessage, bot: BotIdentity): Turn | null {
  if (m.subtype && !TALK_SUBTYPES.has(m.subtype)) return null;
  const raw = messageText(m);
  if (isOwn(m, bot)) {
    if (raw.trim() === PLACEHOLDER) return null;
    const asked = parseQuestionEcho(raw);
    if (asked !== null) return asked ? { role: 'user', text: asked } : null;
    const text = fromMrkdwn(stripSourceList(raw));
    return text ? { role: 'assistant', text } : null;
  }
  if (m.bot_id) return null;
  const text = fromMrkdwn(stripBotMention(raw, bot.userId));
  return text ? { role: 'user', text } : null;
}

export function isOwn(m: ReplyMessage, bot: BotIdentity): boolean {
  return (bot.userId !== undefined && m.user === bot.userId) || (bot.botId !== undefined && m.bot_id === bot.botId);
}

/** A message's readable text: `text`, else what its section / markdown blocks say. */
function messageText(m: ReplyMessage): string {
  if (m.text) return m.text;
  const out: string[] = [];
  for (const b of m.blocks ?? []) {
    const t = b['text'];
    if (typeof t === 'string') out.push(t);
    else if (t && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string') out.push((t as { text: string }).text);
  }
  return out.join('\n');
}

/**
 * The root Docent posts for `/docent ask` (the slash command itself leaves no message), so the thread shows
 * the question and history can read it back as the user's turn.
 */
export function questionEcho(question: string, askedBy: string): string {
  return `:question: *${escapeSlack(askedBy.replace(/[*\n]/g, ''))}* asked: ${toMrkdwn(question)}`;
}

/** The question of an echo (null when `text` is not one). */
export function parseQuestionEcho(text: string): string | null {
  const m = /^:question: \*[^*\n]*\* asked: ([\s\S]*)$/.exec(text);
  return m ? fromMrkdwn(m[1]!) : null;
}

/** Orders Slack timestamps (`seconds.micros`) exactly: as numbers they lose precision. */
export function compareTs(a: string, b: string): number {
  const [as, au = ''] = a.split('.');
  const [bs, bu = ''] = b.split('.');
  return Number(as) - Number(bs) || Number(au.padEnd(6, '0')) - Number(bu.padEnd(6, '0'));
}
