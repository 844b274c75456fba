/**
 * Answers per minute within Slack's real rate tiers: bursts of concurrent questions against a fake Slack that
 * enforces the tiers (Tier 2 startStream/stopStream ~20/min, Tier 3 chat.update ~50/min, Tier 4 appendStream,
 * chat.postMessage ~1/s per channel; 429 + Retry-After beyond), with the real adapter and its shared budget.
 * Each burst gets a fresh fake and adapter (budgets start full, as after a quiet minute). Per burst: how long
 * until every answer's final message (text, sources, buttons) was in place, answers finished per minute,
 * finals dropped (an answer without its buttons after the deadline), 429s Slack had to send, and how many
 * answers streamed natively versus by chat.update.
 */
import { startFakeSlack } from '../fakes/fake-slack/index.js';
import { adapterFor, FakeLlm, finishedAnswers, type Pace } from './slack-harness.js';
import { percentile } from './stats.js';

/** A realistic answer: first words after 300 ms, then ~40 tokens over 4 s. */
export const TIER_PACE: Pace = { firstTokenMs: 300, gapMs: 100, tokens: 40 };
/** Questions arrive in this many channels (per-channel postMessage limits apply in each). */
const CHANNELS = 5;
/** An answer not final by then counts as dropped. */
const DEADLINE_MS = 8 * 60_000;

export interface TierBurst {
  concurrent: number;
  /** First question sent → last final message in place. */
  allFinalMs: number;
  perMinute: number;
  finalP50Ms: number;
  finalMaxMs: number;
  dropped: number;
  rateLimited: number;
  native: number;
  update: number;
}

export async function tierBurst(concurrent: number): Promise<TierBurst> {
  const slack = await startFakeSlack();
  const llm = new FakeLlm();
  llm.pace = TIER_PACE;
  const adapter = adapterFor(slack, llm, 'socket', 'auto');
  await adapter.start();
  try {
    const t0 = performance.now();
    const sent = Array.from({ length: concurrent }, (_, i) =>
      slack.sendEvent({ type: 'app_mention', text: `tier ${concurrent} q${i}`, channel: `C0TIER${String(i % CHANNELS).padStart(3, '0')}` }));
    const done = () => { const f = finishedAnswers(slack); return sent.filter((e) => f.has(`${e.channel}/${e.ts}`)).length; };
    await slack.waitFor(() => done() === concurrent, { timeoutMs: DEADLINE_MS, intervalMs: 50 }).catch(() => undefined);
    const finished = finishedAnswers(slack);
    const finals = sent.map((e) => finished.get(`${e.channel}/${e.ts}`)?.at).filter((at): at is number => at !== undefined).map((at) => at - t0);
    const all = finals.length ? Math.max(...finals) : DEADLINE_MS;
    const replies = slack.state.botMessages().filter((m) => m.thread_ts);
    return {
      concurrent, allFinalMs: all, perMinute: (finals.length * 60_000) / all, finalP50Ms: percentile(finals, 50), finalMaxMs: all,
      dropped: concurrent - finals.length, rateLimited: slack.state.rateLimits.length,
      native: replies.filter((m) => m.stream).length, update: replies.filter((m) => !m.stream).length,
    };
  } finally {
    await adapter.stop();
    await slack.close();
  }
}

export function tierTable(bursts: TierBurst[]): string[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    '| questions at once | all finals in place | answers finished per minute | question → final p50 | dropped finals | 429s from Slack | replies streamed natively / by chat.update |',
    '|---|---|---|---|---|---|---|',
    ...bursts.map((b) => `| ${b.concurrent} | ${s(b.allFinalMs)} | ${b.perMinute.toFixed(0)} | ${s(b.finalP50Ms)} | ${b.dropped} | ${b.rateLimited} | ${b.native} / ${b.update} |`),
  ];
}
