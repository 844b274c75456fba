/**
 * What the Slack bench parts share: a scripted "LLM" whose pace can be switched between phases, the real
 * Slack adapter wired to a loopback fake Slack, and readers for what the fake holds (finished answers, the
 * first visible text of an answer). Everything runs in one process, so the `performance.now()` stamps taken
 * here, in the adapter and in the fake are comparable.
 */
import pino from 'pino';
import { commandList } from '../../commands/index.js';
import type { DocentServices } from '../../commands/services.js';
import { createSlackAdapter, type SlackAdapter } from '../../src/adapters/slack/index.js';
import { PLACEHOLDER } from '../../src/adapters/slack/update-surface.js';
import type { AnswerPart, Question } from '../../src/core/answer/types.js';
import type { FakeSlack, StoredMessage } from '../fakes/fake-slack/index.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How the scripted LLM streams: the first text-delta after `firstTokenMs`, then one every `gapMs`. */
export interface Pace {
  firstTokenMs: number;
  gapMs: number;
  tokens: number;
}

/** A short cited answer in ~60 ms: load tests, where the adapter and not the LLM should be the bottleneck. */
export const FAST: Pace = { firstTokenMs: 15, gapMs: 15, tokens: 4 };

/** The `ask` service the adapter calls, scripted; counts questions (duplicates) and stamps first tokens. */
export class FakeLlm {
  pace: Pace = FAST;
  /** How often each question text was asked (a retried delivery answered twice shows up here). */
  readonly asked = new Map<string, number>();
  /** When each answer's first text-delta was produced, by question text (texts are unique per bench). */
  readonly firstTokenAt = new Map<string, number>();

  readonly services = {
    ask: (question: Question) => {
      this.asked.set(question.text, (this.asked.get(question.text) ?? 0) + 1);
      const { firstTokenMs, gapMs, tokens } = this.pace;
      const stamps = this.firstTokenAt;
      async function* parts(): AsyncGenerator<AnswerPart> {
        yield { type: 'sources', passages: [] };
        let text = '';
        for (let i = 0; i < tokens; i++) {
          await sleep(i === 0 ? firstTokenMs : gapMs);
          const token = i === tokens - 1 ? 'and shaded [1].' : `word${i}${i % 12 === 11 ? '. ' : ' '}`;
          // Stamped just before the yield: what follows until the fake holds the text is the adapter's doing.
          if (i === 0) stamps.set(question.text, performance.now());
          text += token;
          yield { type: 'text-delta', text: token };
        }
        const totalMs = firstTokenMs + (tokens - 1) * gapMs;
        yield {
          type: 'finish',
          info: {
            text, citations: [{ n: 1, passage: 1, title: 'Field manual', sourceId: 'm', url: 'https://example.org/m.pdf', path: null, page: 2 }],
            backend: 'bench', finishReason: 'stop', fallbacks: [], degraded: [], cached: false, notFound: false, searchQuery: question.text, timings: { retrievalMs: 0, firstTokenMs, totalMs },
          },
        };
      }
      return { answerId: `a-${question.text}`, parts: parts() };
    },
    scopeFor: () => undefined,
    isAdmin: () => false,
    recordFeedback: async () => undefined,
  } as unknown as DocentServices;
}

/** The shipped default (config/default.yaml): at most one chat.update / appendStream per answer per second. */
export const UPDATE_INTERVAL_MS = 1000;

export function adapterFor(slack: FakeSlack, llm: FakeLlm, mode: 'socket' | 'http', streaming: 'auto' | 'update'): SlackAdapter {
  return createSlackAdapter({
    botToken: 'xoxb-bench', appToken: 'xapp-bench', signingSecret: slack.signingSecret, mode, port: 0, services: llm.services, commands: commandList,
    logger: pino({ level: 'silent' }), settings: { streaming, updateIntervalMs: UPDATE_INTERVAL_MS, historyMessages: 10 },
    // The adapter's budget counts the same tiers the fake enforces (none where a bench turns them off).
    slackApiUrl: slack.apiUrl, rateTiers: slack.tiers,
  });
}

/** Final answer message per thread root (`channel/ts`): the bot reply carrying feedback buttons, and when it got them. */
export function finishedAnswers(slack: FakeSlack): Map<string, { count: number; at: number }> {
  const out = new Map<string, { count: number; at: number }>();
  for (const m of slack.state.store.values() as Iterable<StoredMessage>) {
    // Probed every few ms over thousands of messages: look for the feedback buttons in the actions block only.
    if (!m.byBot || !m.thread_ts || !m.blocks?.some((b) => b['type'] === 'actions' && JSON.stringify(b).includes('docent:fb:up:'))) continue;
    const key = `${m.channel}/${m.thread_ts}`;
    const at = m.stream?.stoppedAt ?? m.updates.at(-1)?.at ?? m.createdAt;
    const prev = out.get(key);
    out.set(key, { count: (prev?.count ?? 0) + 1, at: Math.max(prev?.at ?? 0, at) });
  }
  return out;
}

/**
 * When a reply first showed answer text: the first stream call carrying text (native streaming), else the
 * first chat.update away from the placeholder, else its creation if it was posted with text already.
 */
export function firstTextAt(m: StoredMessage): number | undefined {
  if (m.stream) return m.stream.appends.find((a) => a.text.trim())?.at;
  const update = m.updates.find((u) => u.text.trim() && u.text !== PLACEHOLDER);
  if (update) return update.at;
  return m.text.trim() && m.text !== PLACEHOLDER ? m.createdAt : undefined;
}

/** The bot's replies in the thread under `channel/ts` (read straight from the store: the sorted queries are O(n log n)). */
export function repliesTo(slack: FakeSlack, channel: string, ts: string): StoredMessage[] {
  const out: StoredMessage[] = [];
  for (const m of slack.state.store.values() as Iterable<StoredMessage>) if (m.byBot && m.channel === channel && m.thread_ts === ts) out.push(m);
  return out;
}
