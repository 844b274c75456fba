/**
 * Load over the HTTP Events API: signed app_mention deliveries on loopback at a fixed rate, ~5 % of them
 * delivered a second time as Slack's retries (X-Slack-Retry-Num, same event_id). Counts non-200 acks, answers
 * that never finished and duplicate answers, and times the ack round trip and question → final answer.
 */
import type { FakeSlack } from '../fakes/fake-slack/index.js';
import { finishedAnswers, sleep, type FakeLlm } from './slack-harness.js';
import { percentile } from './stats.js';

export const RETRY_SHARE = 0.05;
const CHANNELS = 50;
/** Slack's ack deadline: a later ack counts as a failed delivery and is retried. */
export const ACK_LIMIT_MS = 3000;
/** Answers not finished this long after the last delivery count as failed. */
const DRAIN_MS = 15_000;

export interface StepResult {
  rate: number;
  seconds: number;
  sent: number;
  retries: number;
  non200: number;
  /** What the non-200 answers were: HTTP statuses, or the fetch error for no answer at all. */
  statuses: Map<string, number>;
  failed: number;
  duplicates: number;
  ack: number[];
  answer: number[];
  /** Answers finished per second, from the first delivery to the last answer: below `rate` when it did not keep up. */
  completedPerSec: number;
}

/** Errors of any kind, or acks too slow for Slack: the step is past the ceiling. */
export function overCeiling(r: StepResult): boolean {
  return r.non200 > 0 || r.failed > 0 || r.duplicates > 0 || percentile(r.ack, 99) > ACK_LIMIT_MS;
}

/** Delivers `rate` questions per second for `seconds` (retries on top), then waits for the answers. */
export async function httpStep(slack: FakeSlack, llm: FakeLlm, url: string, rate: number, seconds: number, tag: string): Promise<StepResult> {
  const sent: Array<{ key: string; at: number; text: string }> = [];
  const deliveries: Promise<void>[] = [];
  const ack: number[] = [];
  let non200 = 0;
  let retries = 0;
  const statuses = new Map<string, number>();
  const count = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
  const deliver = (text: string, channel: string, eventId?: string, retryNum?: number) =>
    slack.postEvent(url, { type: 'app_mention', text, channel, ...(eventId ? { eventId } : {}) }, retryNum ? { retryNum } : {}).then(
      (res) => {
        ack.push(res.ms);
        if (res.status !== 200) {
          non200++;
          count(String(res.status));
        }
        return res;
      },
      (err: unknown) => {
        non200++;
        count(((err as Error).cause as { code?: string } | undefined)?.code ?? (err as Error).message);
        return undefined;
      },
    );
  const total = Math.round(rate * seconds);
  const started = performance.now();
  // A bounded loop: exactly `total` questions, each at its scheduled time (open loop: a slow ack does not slow the sender).
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    const text = `${tag} question ${i}`;
    const channel = `C0BENCH${String(i % CHANNELS).padStart(2, '0')}`;
    const at = performance.now();
    deliveries.push(
      deliver(text, channel).then(async (res) => {
        if (!res?.eventId) return;
        sent.push({ key: `${res.channel}/${res.ts}`, at, text });
        if (Math.random() < RETRY_SHARE) {
          retries++;
          await sleep(100 + Math.random() * 400);
          await deliver(text, channel, res.eventId, 1);
        }
      }),
    );
  }
  await Promise.all(deliveries);
  await slack.waitFor(() => { const done = finishedAnswers(slack); return sent.every((s) => done.has(s.key)); }, { timeoutMs: DRAIN_MS, intervalMs: 100 }).catch(() => undefined);
  const done = finishedAnswers(slack);
  const answer: number[] = [];
  let failed = total - sent.length;
  let duplicates = 0;
  let lastDone = started;
  for (const s of sent) {
    const d = done.get(s.key);
    if (!d) failed++;
    else {
      answer.push(d.at - s.at);
      lastDone = Math.max(lastDone, d.at);
    }
    if ((d?.count ?? 0) > 1 || (llm.asked.get(s.text) ?? 0) > 1) duplicates++;
  }
  const completedPerSec = answer.length / (Math.max(lastDone - started, seconds * 1000) / 1000);
  return { rate, seconds, sent: total, retries, non200, statuses, failed, duplicates, ack, answer, completedPerSec };
}
