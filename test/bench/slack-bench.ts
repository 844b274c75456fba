/**
 * The Slack adapter under load, through the loopback fake Slack and the real Bolt App
 * (`npm run build && node dist/test/bench/slack-bench.js`; about 2 minutes).
 *
 *  1. Socket Mode: 50 app_mention events pushed at once → time from each envelope reaching the socket to its
 *     ack at the fake (Slack's limit: 3 s): p50/p95/p99.
 *  2. HTTP: signed Events API deliveries on loopback at 50 questions/s for 30 s, ~5 % of them delivered a
 *     second time as retries (X-Slack-Retry-Num, same event_id). Counts non-200 acks, answers that never
 *     finished, and duplicate answers; ack round trip p50/p95/p99 and question → final answer p50/p95.
 *  3. The same at 100, 200, 400 and 800 questions/s for 10 s each, to find the ceiling where errors or an ack p99
 *     over 3 s start.
 *
 * The fake LLM streams a short cited answer in ~60 ms. Streaming is `update` (placeholder + chat.update +
 * final blocks), the fallback path: it exercises more of the adapter than native streaming (mrkdwn
 * rendering of the whole message on every update, the final section/sources/buttons blocks) and is what
 * every workspace can use. Everything — fake Slack, Bolt, the adapter, the load generator — shares this one
 * process and its CPU, so the ceiling is a floor for a real deployment.
 */
import pino from 'pino';
import { commandList } from '../../commands/index.js';
import type { DocentServices } from '../../commands/services.js';
import { createSlackAdapter, type SlackAdapter } from '../../src/adapters/slack/index.js';
import type { AnswerPart, Question } from '../../src/core/answer/types.js';
import { startFakeSlack, type FakeSlack, type StoredMessage } from '../fakes/fake-slack/index.js';
import { percentile } from './stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DELTAS = ['Loggers go ', 'in the main current, ', 'where the water is well mixed ', 'and shaded [1].'];
const RETRY_SHARE = 0.05;
const CHANNELS = 50;

const asked = new Map<string, number>();
const services = {
  ask(question: Question) {
    asked.set(question.text, (asked.get(question.text) ?? 0) + 1);
    async function* parts(): AsyncGenerator<AnswerPart> {
      yield { type: 'sources', passages: [] };
      for (const d of DELTAS) {
        await sleep(15);
        yield { type: 'text-delta', text: d };
      }
      yield {
        type: 'finish',
        info: {
          text: DELTAS.join(''), citations: [{ n: 1, title: 'Field manual', sourceId: 'm', url: 'https://example.org/m.pdf', path: null, page: 2 }],
          backend: 'bench', fallbacks: [], cached: false, notFound: false, searchQuery: question.text, timings: { retrievalMs: 0, firstTokenMs: 15, totalMs: 60 },
        },
      };
    }
    return { answerId: `a-${question.text}`, parts: parts() };
  },
  scopeFor: () => undefined,
  isAdmin: () => false,
  recordFeedback: async () => undefined,
} as unknown as DocentServices;

const adapterFor = (slack: FakeSlack, mode: 'socket' | 'http'): SlackAdapter =>
  createSlackAdapter({
    botToken: 'xoxb-bench', appToken: 'xapp-bench', signingSecret: slack.signingSecret, mode, port: 0, services, commands: commandList,
    logger: pino({ level: 'silent' }), settings: { streaming: mode === 'http' ? 'update' : 'auto', updateIntervalMs: 1000, historyMessages: 10 },
    slackApiUrl: slack.apiUrl,
  });

/** Final answer message per thread root (`channel/ts`): the bot reply carrying feedback buttons, and when it got them. */
function finishedAnswers(slack: FakeSlack): Map<string, { count: number; at: number }> {
  const out = new Map<string, { count: number; at: number }>();
  for (const m of slack.state.store.values() as Iterable<StoredMessage>) {
    if (!m.byBot || !m.thread_ts || !JSON.stringify(m.blocks ?? []).includes('docent:fb:up:')) continue;
    const key = `${m.channel}/${m.thread_ts}`;
    const at = m.stream?.stoppedAt ?? m.updates.at(-1)?.at ?? m.createdAt;
    const prev = out.get(key);
    out.set(key, { count: (prev?.count ?? 0) + 1, at: Math.max(prev?.at ?? 0, at) });
  }
  return out;
}

interface StepResult {
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
}

/** Delivers `rate` questions per second for `seconds` (retries included on top), then waits for the answers. */
async function httpStep(slack: FakeSlack, url: string, rate: number, seconds: number, tag: string): Promise<StepResult> {
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
  const total = rate * seconds;
  const started = performance.now();
  // A bounded loop: exactly `total` questions, each at its scheduled time; it ends by itself.
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
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
  // Answers that have not finished 15 s after the last delivery count as failed.
  await slack.waitFor(() => { const done = finishedAnswers(slack); return sent.every((s) => done.has(s.key)); }, { timeoutMs: 15_000, intervalMs: 200 }).catch(() => undefined);
  const done = finishedAnswers(slack);
  const answer: number[] = [];
  let failed = 0;
  let duplicates = 0;
  for (const s of sent) {
    const d = done.get(s.key);
    if (!d) failed++;
    else answer.push(d.at - s.at);
    if ((d?.count ?? 0) > 1 || (asked.get(s.text) ?? 0) > 1) duplicates++;
  }
  failed += total - sent.length;
  return { rate, seconds, sent: total, retries, non200, statuses, failed, duplicates, ack, answer };
}

const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const row = (r: StepResult) =>
  `| ${r.rate}/s × ${r.seconds} s | ${r.sent} + ${r.retries} retries | ${f(percentile(r.ack, 50))} / ${f(percentile(r.ack, 95))} / ${f(percentile(r.ack, 99))} ms | ` +
  `${f(percentile(r.answer, 50))} / ${f(percentile(r.answer, 95))} ms | ${r.non200}${r.non200 ? ` (${[...r.statuses].map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''} | ${r.failed} | ${r.duplicates} |`;

async function socketBurst(): Promise<number[]> {
  const slack = await startFakeSlack();
  const adapter = adapterFor(slack, 'socket');
  try {
    await adapter.start();
    const warm = slack.sendEvent({ type: 'app_mention', text: 'warm-up' });
    await slack.waitFor(() => warm.ackedAt);
    const burst = Array.from({ length: 50 }, (_, i) => slack.sendEvent({ type: 'app_mention', text: `burst ${i}` }));
    await slack.waitFor(() => burst.every((e) => e.ackedAt !== undefined), { timeoutMs: 30_000 });
    await slack.waitFor(() => { const done = finishedAnswers(slack); return burst.every((e) => done.has(`${e.channel}/${e.ts}`)); }, { timeoutMs: 30_000 });
    return burst.map((e) => e.ackedAt! - e.sentAt!);
  } finally {
    await adapter.stop();
    await slack.close();
  }
}

async function httpRuns(): Promise<StepResult[]> {
  const slack = await startFakeSlack();
  const adapter = adapterFor(slack, 'http');
  try {
    await adapter.start();
    const url = `http://127.0.0.1:${adapter.address()!.port}/slack/events`;
    await httpStep(slack, url, 5, 1, 'warm-up');
    // Quick mode (DOCENT_BENCH_QUICK=1, `npm run bench -- --quick`): a shorter sustained run and a shorter ramp.
    const quick = process.env.DOCENT_BENCH_QUICK === '1';
    const results = [await httpStep(slack, url, 50, quick ? 8 : 30, 'sustained')];
    for (const rate of quick ? [100, 200] : [100, 200, 400, 800]) results.push(await httpStep(slack, url, rate, quick ? 4 : 10, `step${rate}`));
    return results;
  } finally {
    await adapter.stop();
    await slack.close();
  }
}

const burst = await socketBurst();
const steps = await httpRuns();
const ceiling = steps.slice(1).find((s) => s.non200 > 0 || s.failed > 0 || s.duplicates > 0 || percentile(s.ack, 99) > 3000);
const out = [
  '## Slack adapter bench',
  '',
  `Socket Mode, 50 app_mention events at once → ack at the fake: p50 ${f(percentile(burst, 50))} ms, p95 ${f(percentile(burst, 95))} ms, p99 ${f(percentile(burst, 99))} ms (limit 3000 ms).`,
  '',
  `HTTP Events API, signed deliveries on loopback; fake LLM answers in ~60 ms; streaming: update (placeholder + chat.update); ~${RETRY_SHARE * 100} % delivered twice as retries.`,
  '',
  '| load | questions | ack round trip p50 / p95 / p99 | question → final answer p50 / p95 | non-200 acks | failed answers | duplicate answers |',
  '|---|---|---|---|---|---|---|',
  ...steps.map(row),
  '',
  ceiling
    ? `Ceiling: errors or ack p99 > 3 s start at ${ceiling.rate} questions/s (one process, fake Slack included).`
    : `Ceiling: not reached — no errors and ack p99 under 3 s up to ${steps.at(-1)!.rate} questions/s (one process, fake Slack included).`,
];
process.stdout.write(`${out.join('\n')}\n`);
