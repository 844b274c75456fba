import { MessageType, type Message, type ThreadChannel } from 'discord.js';
import type { Turn } from '../../core/answer/types.js';
import { LRUCache } from 'lru-cache';
import { mergeTurns } from '../shared/turns.js';
import { stripBotMention } from './sanitize.js';
import { stripSourceList } from './source-list.js';

export { mergeTurns };

/**
 * A thread's recent messages → conversation history for a follow-up question (oldest first): Docent's own
 * messages become assistant turns (without their source lists), everyone else's become user turns (without
 * the bot mention). Other bots are left out; consecutive messages of one side (an answer split over several
 * messages) merge into one turn.
 */

/**
 * Questions and full answers of the /ask replies this process made, by reply message id. A thread opened on
 * an /ask reply starts with our answer, but Discord does not keep the slash command's arguments, so the
 * question (and an answer longer than its first message) would otherwise be lost. Bounded; after a restart
 * the thread name (the question, shortened) and the starter message stand in.
 */
export class AnswerMemory {
  private readonly entries: LRUCache<string, { question: string; answer: string }>;
  constructor(max = 1000) {
    this.entries = new LRUCache({ max });
  }

  remember(messageId: string, question: string, answer: string): void {
    this.entries.set(messageId, { question, answer });
  }

  recall(messageId: string): { question: string; answer: string } | undefined {
    // peek: a recall does not make the reply recent; the oldest remembered leaves first.
    return this.entries.peek(messageId);
  }
}

export interface ThreadHistoryOptions {
  thread: ThreadChannel;
  /** The message being answered: history is what came before it. */
  before: string;
  botId: string;
  /** How many thread messages to read. */
  limit: number;
  memory: AnswerMemory;
}

/** Reads the thread (one REST call, two when the thread's start is within reach) and builds the turns. */
export async function threadHistory(o: ThreadHistoryOptions): Promise<Turn[]> {
  const fetched = await o.thread.messages.fetch({ limit: o.limit, before: o.before });
  const messages = [...fetched.values()].sort((a, b) => compareIds(a.id, b.id));
  const turns: Turn[] = [];
  // Fewer messages than asked for means we reached the beginning: the starter message is part of the talk.
  if (fetched.size < o.limit) turns.push(...(await starterTurns(o)));
  for (const m of messages) {
    const turn = toTurn(m, o.botId);
    if (turn) turns.push(turn);
  }
  return mergeTurns(turns);
}

/** One message as a turn, or null for system messages, other bots and empty text. */
export function toTurn(m: Pick<Message, 'type' | 'content' | 'author'>, botId: string): Turn | null {
  if (m.type !== MessageType.Default && m.type !== MessageType.Reply && m.type !== MessageType.ChatInputCommand) return null;
  if (m.author.id === botId) {
    const text = stripSourceList(m.content).trim();
    return text ? { role: 'assistant', text } : null;
  }
  if (m.author.bot) return null;
  const text = stripBotMention(m.content, botId);
  return text ? { role: 'user', text } : null;
}

async function starterTurns(o: ThreadHistoryOptions): Promise<Turn[]> {
  const starter = await o.thread.fetchStarterMessage().catch(() => null);
  if (!starter) return [];
  if (starter.author.id === o.botId) {
    // A thread on an /ask reply: the question came from the slash command (remembered) or the thread name.
    const known = o.memory.recall(starter.id);
    const answer = known?.answer ?? stripSourceList(starter.content);
    return [{ role: 'user', text: known?.question ?? o.thread.name }, ...(answer.trim() ? [{ role: 'assistant' as const, text: answer.trim() }] : [])];
  }
  const turn = toTurn(starter, o.botId);
  return turn ? [turn] : [];
}

function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
