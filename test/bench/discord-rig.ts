/**
 * The Discord bench's rig: the loopback fake Discord, the real adapter (and so the real discord.js client) on
 * it, and a scripted "LLM" that streams at a fixed rate, with a stream shape chosen per question so each
 * measurement can use the shortest stream that still shows what it measures. Readers turn what the fake
 * recorded about one /ask into latencies. Everything shares one process, so `performance.now()` times from
 * the fake, the LLM and the load generator are comparable.
 */
import pino from 'pino';
import { RESTEvents } from 'discord.js';
import { commandList } from '../../commands/index.js';
import type { DocentServices } from '../../commands/services.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../src/adapters/discord/index.js';
import type { AnswerPart, Question } from '../../src/core/answer/types.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/fake-discord/index.js';

/** How the fake LLM streams: the first token after `firstTokenMs`, then one every `tokenGapMs`. */
export interface StreamShape { firstTokenMs: number; tokenGapMs: number; tokens: number }

export function describeShape(s: StreamShape): string {
  return `first token after ${s.firstTokenMs} ms, then one every ${s.tokenGapMs} ms (${s.tokens} tokens, ${((s.tokens - 1) * s.tokenGapMs) / 1000} s)`;
}

/** Discord's limit for the first callback after INTERACTION_CREATE (the fake enforces it too). */
export const ACK_LIMIT_MS = 3000;

export interface Ask { question: string; interactionId: string; token: string; sentAt: number }

/** What the fake saw of one /ask. Times are undefined when the event never happened. */
export interface AskOutcome {
  /** INTERACTION_CREATE reaching the socket → accepted type-5 callback. */
  ackMs?: number;
  /** The LLM's first token → the first @original PATCH with non-empty content. */
  firstVisibleMs?: number;
  /** INTERACTION_CREATE reaching the socket → the final edit (content with **Sources**). */
  finishMs?: number;
  finishedAt?: number;
  edits: number;
  /** Edits after the first, over the span from first to last edit. */
  editsPerSec: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isFinal = (body: Record<string, unknown>) => typeof body['content'] === 'string' && body['content'].includes('**Sources**');

export class DiscordRig {
  /** What the fake's headers allow on the @original edit route: the largest limit and window seen. */
  readonly editBucket = { limit: 0, windowSec: 0 };
  /**
   * When discord.js waited before sending: `global` is its client-side cap of 50 requests/s per client (the
   * adapter keeps interaction-webhook edits out of it, as Discord does: interaction-rest.ts), `route` a bucket
   * the headers said was spent. Neither is an error; both explain latency.
   */
  readonly clientWaits: { global: number[]; route: number[] } = { global: [], route: [] };
  /** When the adapter logged a warning or an error (failed edits, failed handlers). */
  readonly adapterLogs: number[] = [];
  private readonly shapes = new Map<string, StreamShape>();
  private readonly firstTokenAt = new Map<string, number>();
  private seq = 0;

  private constructor(readonly discord: FakeDiscord, readonly adapter: DiscordAdapter) {}

  static async start(editIntervalMs: number): Promise<DiscordRig> {
    const discord = await startFakeDiscord({ token: 'bench-token' });
    let rig: DiscordRig | undefined;
    const logStream = { write: () => void rig?.adapterLogs.push(performance.now()) };
    const services: DocentServices = {
      ask: (question: Question) => ({ answerId: `bench-${question.text}`, parts: rig!.stream(question.text) }),
      status: async () => { throw new Error('not used'); },
      sources: async () => ({ sources: [] }),
      reindex: async () => { throw new Error('not used'); },
      isAdmin: () => false,
      scopeFor: () => undefined,
      recordFeedback: async () => 'recorded' as const,
    };
    const adapter = createDiscordAdapter({
      token: 'bench-token', services, commands: commandList, logger: pino({ level: 'warn' }, logStream),
      settings: { editIntervalMs, historyMessages: 12 }, restApi: discord.restUrl,
    });
    rig = new DiscordRig(discord, adapter);
    const r = rig;
    adapter.client.rest.on(RESTEvents.Response, (req, res) => {
      if (req.method !== 'PATCH' || !req.route.includes('/webhooks/')) return;
      r.editBucket.limit = Math.max(r.editBucket.limit, Number(res.headers.get('x-ratelimit-limit') ?? 0));
      r.editBucket.windowSec = Math.max(r.editBucket.windowSec, Number(res.headers.get('x-ratelimit-reset-after') ?? 0));
    });
    adapter.client.rest.on(RESTEvents.RateLimited, (info) => void r.clientWaits[info.global ? 'global' : 'route'].push(performance.now()));
    await adapter.start();
    return rig;
  }

  /** The scripted LLM: no retrieval time, then tokens at the question's fixed rate, then a cited finish. */
  private async *stream(question: string): AsyncGenerator<AnswerPart> {
    const shape = this.shapes.get(question)!;
    yield { type: 'sources', passages: [] };
    await sleep(shape.firstTokenMs);
    let text = '';
    for (let i = 0; i < shape.tokens; i++) {
      if (i > 0) await sleep(shape.tokenGapMs);
      const token = `word${i}${i % 12 === 11 ? '. ' : ' '}`;
      if (i === 0) this.firstTokenAt.set(question, performance.now());
      text += token;
      yield { type: 'text-delta', text: token };
    }
    const totalMs = shape.firstTokenMs + (shape.tokens - 1) * shape.tokenGapMs;
    yield {
      type: 'finish',
      info: {
        text, citations: [{ n: 1, passage: 1, title: 'Bench record', sourceId: 'bench', url: 'https://example.org/bench', path: null, page: 1 }],
        backend: 'bench', finishReason: 'stop', fallbacks: [], degraded: [], cached: false, notFound: false, searchQuery: question,
        timings: { retrievalMs: 0, firstTokenMs: shape.firstTokenMs, totalMs },
      },
    };
  }

  /** Dispatches one /ask now (a fresh user question each time) whose answer streams with `shape`. */
  ask(shape: StreamShape): Ask {
    const question = `bench question ${++this.seq}`;
    this.shapes.set(question, shape);
    const s = this.discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: question }] });
    return { question, interactionId: s.interactionId, token: s.token, sentAt: s.dispatch.sentAt ?? performance.now() };
  }

  /** The final edit of an answer, if it has landed (looked up by interaction id: the fake's token lookup is a scan). */
  private history(a: Ask): { at: number; body: Record<string, unknown> }[] {
    const i = this.discord.state.interactions.get(a.interactionId);
    const m = i?.originalMessageId === undefined ? undefined : this.discord.state.messages.get(i.originalMessageId);
    return (m?.history ?? []).filter((h) => h.kind === 'edit');
  }

  finished(a: Ask): boolean {
    return this.history(a).some((e) => isFinal(e.body));
  }

  outcome(a: Ask): AskOutcome {
    const i = this.discord.state.interactions.get(a.interactionId);
    const edits = this.history(a);
    const firstText = edits.find((e) => typeof e.body['content'] === 'string' && e.body['content'].length > 0);
    const final = edits.find((e) => isFinal(e.body));
    const tokenAt = this.firstTokenAt.get(a.question);
    const span = edits.length > 1 ? (edits.at(-1)!.at - edits[0]!.at) / 1000 : 0;
    const out: AskOutcome = { edits: edits.length, editsPerSec: span > 0 ? (edits.length - 1) / span : 0 };
    if (i?.callback?.type === 5) out.ackMs = i.callback.at - a.sentAt;
    if (firstText && tokenAt !== undefined) out.firstVisibleMs = firstText.at - tokenAt;
    if (final) {
      out.finishMs = final.at - a.sentAt;
      out.finishedAt = final.at;
    }
    return out;
  }

  /** Waits until every answer has its final edit, or until `deadlineMs` after the last one was sent. */
  async waitFinished(asks: Ask[], deadlineMs: number): Promise<void> {
    const until = Math.max(...asks.map((a) => a.sentAt)) + deadlineMs;
    let pending = asks;
    while (pending.length && performance.now() < until) {
      await sleep(20);
      pending = pending.filter((a) => !this.finished(a));
    }
  }

  /**
   * Waits (up to `timeoutMs`) until each answer's thread exists too. The adapter opens it once the answer is
   * visible, and under load its creation can still be queued behind discord.js's global cap after the last
   * edit landed; that backlog would delay the next measurement's first edit. (The fake gives a thread its
   * starter message's id, as Discord does.)
   */
  async settle(asks: Ask[], timeoutMs = 3000): Promise<void> {
    const until = performance.now() + timeoutMs;
    const threadOf = (a: Ask) => this.discord.state.interactions.get(a.interactionId)?.originalMessageId;
    let pending = asks.filter((a) => this.finished(a));
    while (pending.length && performance.now() < until) {
      pending = pending.filter((a) => !this.discord.state.channels.has(threadOf(a) ?? ''));
      if (pending.length) await sleep(20);
    }
  }

  async close(): Promise<void> {
    await this.adapter.stop();
    await this.discord.close();
  }
}
