/**
 * Socket Mode measurements: the ack of a burst of app_mentions, and how soon an answer's first words show.
 * Each rig is one fake Slack with one adapter connected to it (the fake delivers to its newest socket, so two
 * adapters with different streaming settings need two fakes).
 */
import type { SlackAdapter } from '../../src/adapters/slack/index.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack/index.js';
import { adapterFor, finishedAnswers, firstTextAt, repliesTo, type FakeLlm } from './slack-harness.js';

export interface SocketRig {
  slack: FakeSlack;
  adapter: SlackAdapter;
  close(): Promise<void>;
}

/** Slack's rate tiers are off here: these figures are the adapter's own latency (slack-tier-load.ts measures within the tiers). */
export async function startSocketRig(llm: FakeLlm, streaming: 'auto' | 'update'): Promise<SocketRig> {
  const slack = await startFakeSlack({ limits: {} });
  const adapter = adapterFor(slack, llm, 'socket', streaming);
  await adapter.start();
  return {
    slack, adapter,
    async close() {
      await adapter.stop();
      await slack.close();
    },
  };
}

/**
 * Pushes `n` app_mention envelopes at once (one per channel, as from different people) and returns, per
 * envelope, ms from reaching the socket to its ack at the fake. Waits for every answer to finish, so the
 * next measurement starts on an idle process.
 */
export async function ackBurst(rig: SocketRig, n: number, tag: string): Promise<number[]> {
  const { slack } = rig;
  const burst = Array.from({ length: n }, (_, i) => slack.sendEvent({ type: 'app_mention', text: `${tag} ${i}`, channel: `C0ACK${String(i).padStart(3, '0')}` }));
  await slack.waitFor(() => burst.every((e) => e.ackedAt !== undefined), { timeoutMs: 30_000, what: 'burst acks' });
  await slack.waitFor(() => { const done = finishedAnswers(slack); return burst.every((e) => done.has(`${e.channel}/${e.ts}`)); }, { timeoutMs: 30_000, intervalMs: 10, what: 'burst answers' });
  return burst.map((e) => e.ackedAt! - e.sentAt!);
}

export interface Visible {
  /** The LLM's first text-delta → the fake holding the first answer text of that reply. */
  firstVisibleMs: number;
  /** The mention reaching the socket → the first bot reply in the thread (placeholder or opened stream). */
  firstReplyMs: number;
  /** chat.update / stream calls that carried text, the final one included. */
  textCalls: number;
}

/**
 * Asks `texts` at once (each in its own channel) and waits for every answer to finish; per answer, when its
 * first words became visible. Question texts must be unique in the run (first tokens are keyed by text).
 */
export async function askAndTime(rig: SocketRig, llm: FakeLlm, texts: string[]): Promise<Visible[]> {
  const { slack } = rig;
  const sent = texts.map((text, i) => slack.sendEvent({ type: 'app_mention', text, channel: `C0FV${String(i).padStart(3, '0')}` }));
  await slack.waitFor(() => { const done = finishedAnswers(slack); return sent.every((e) => done.has(`${e.channel}/${e.ts}`)); }, { timeoutMs: 30_000, intervalMs: 10, what: 'answers' });
  return sent.map((e, i) => {
    const replies = repliesTo(slack, e.channel!, e.ts!);
    const shown = Math.min(...replies.map((m) => firstTextAt(m) ?? Number.POSITIVE_INFINITY));
    const textCalls = replies.reduce((sum, m) => sum + (m.stream ? m.stream.appends.filter((a) => a.text || a.chunks.length).length : m.updates.length), 0);
    return {
      firstVisibleMs: shown - llm.firstTokenAt.get(texts[i]!)!,
      firstReplyMs: Math.min(...replies.map((m) => m.createdAt)) - e.sentAt!,
      textCalls,
    };
  });
}
