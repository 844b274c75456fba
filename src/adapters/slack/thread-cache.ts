import type { Turn } from '../../core/answer/types.js';
import { mergeTurns } from '../shared/turns.js';

/**
 * The conversation of each thread Docent answers in, as Docent saw it: the questions it was asked there and
 * the answers it gave. A follow-up in a known thread takes its history from here instead of calling
 * conversations.replies, which is Tier 3 (~50/min per workspace, https://docs.slack.dev/reference/methods/conversations.replies)
 * and shared with every other thread. The thread is read from Slack once — the first follow-up after a
 * restart — and the cache carries on from what that read returned. In Docent's own threads every message is
 * a follow-up it answers, so nothing said there passes it by while it runs.
 *
 * Bounded: the least recently used threads are forgotten first (their next follow-up reads Slack again).
 */
export class ThreadCache {
  private readonly threads = new Map<string, Turn[]>();

  constructor(private readonly o: { maxThreads?: number; maxTurns?: number } = {}) {}

  /** The thread's turns so far (oldest first), or undefined when it is not known. */
  get(key: string): Turn[] | undefined {
    const turns = this.threads.get(key);
    if (!turns) return undefined;
    // Refresh its place: most recently used last.
    this.threads.delete(key);
    this.threads.set(key, turns);
    return [...turns];
  }

  /** Starts (or replaces) a thread's record with what Slack returned. */
  seed(key: string, turns: Turn[]): void {
    this.threads.delete(key);
    this.threads.set(key, [...turns]);
    this.evict();
  }

  /** Adds a turn to a thread (starting it when new). */
  add(key: string, turn: Turn): void {
    const turns = this.threads.get(key) ?? [];
    const merged = mergeTurns([...turns, turn]);
    // Keep the root question and the most recent turns: history is cut the same way when read from Slack.
    const max = this.o.maxTurns ?? 50;
    const kept = merged.length > max ? [merged[0]!, ...merged.slice(merged.length - (max - 1))] : merged;
    this.threads.delete(key);
    this.threads.set(key, kept);
    this.evict();
  }

  private evict(): void {
    const max = this.o.maxThreads ?? 20_000;
    while (this.threads.size > max) this.threads.delete(this.threads.keys().next().value!);
  }
}

/** History for a question: the root turn and the last `limit - 1` turns, as thread-history.ts chooses them. */
export function recentTurns(turns: Turn[], limit: number): Turn[] {
  if (limit <= 0) return [];
  if (turns.length <= limit) return turns;
  return [turns[0]!, ...turns.slice(turns.length - (limit - 1))];
}
