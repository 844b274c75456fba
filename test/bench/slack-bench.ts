/**
 * The Slack adapter under load, through the loopback fake Slack and the real Bolt App
 * (`npm run build && node dist/test/bench/slack-bench.js`; ~75 s, ~17 s with DOCENT_BENCH_QUICK=1).
 *
 *  1. Socket Mode: 50 app_mention envelopes pushed at once → each one's ack at the fake (Slack's limit: 3 s),
 *     p50/p95/p99, beside a bare `ws` echo of the same burst and a bare loopback HTTP round trip; and one
 *     envelope at a time, which separates Bolt's cost per envelope from queueing behind the rest of a burst.
 *  2. Socket Mode: LLM first token → first visible text (the first stream append or chat.update carrying
 *     answer text, as the fake records it), with native streaming (`auto`) and with `update`, one question
 *     at a time and 10 at once. The scripted LLM streams at a fixed rate (first token after 100 ms, then one
 *     every 20 ms); the figure covers only the first ~100 ms of an answer, so the stream's length barely
 *     matters and it is kept short to fit the time budget.
 *  Parts 1–3 run with the fake's rate tiers off: they measure the adapter (acks, latency, its own ceiling),
 *  not what Slack would accept. Part 4 runs within Slack's real tiers.
 *  3. HTTP Events API: signed deliveries at 50 questions/s (repeated), then a ladder of higher rates until
 *     the ceiling — the first rate with errors, duplicate answers or an ack p99 over 3 s; the ladder stops there
 *     (the steps past it only cost time), or at the time budget. "Sustained" is the highest rate without errors whose answers also
 *     kept up: on this one process a rate can pass without errors while its backlog grows.
 *
 *  4. Within Slack's rate tiers (slack-tier-load.ts): bursts of concurrent questions, native streaming `auto`,
 *     realistic 4-second answers → answers finished per minute with zero dropped finals.
 *
 * Every figure is the median over repeated runs with the spread (min–max) in brackets, and the baselines are
 * measured in the same runs, between the measurements: on a noisy machine the ratios hold, absolute times
 * do not. Everything — fake Slack, Bolt, the adapter, the load generator — shares this one process and its
 * CPU, so the ceiling is a floor for a real deployment.
 */
import { startFakeSlack } from '../fakes/fake-slack/index.js';
import { loopbackRoundTrips } from './baseline.js';
import { ACK_LIMIT_MS, httpStep, overCeiling, RETRY_SHARE, type StepResult } from './slack-http-load.js';
import { adapterFor, FakeLlm, FAST, UPDATE_INTERVAL_MS, type Pace } from './slack-harness.js';
import { TIER_PACE, tierBurst, tierTable, type TierBurst } from './slack-tier-load.js';
import { ackBurst, askAndTime, startSocketRig, type SocketRig, type Visible } from './slack-socket.js';
import { wsEcho } from './slack-ws-baseline.js';
import { percentile, percentileAcrossRuns, quickMode, repetitions, show, spread, times, type Spread } from './stats.js';

const quick = quickMode();
const RUNS = repetitions(5, 3);
const BURST = 50;
/** Envelopes sent one at a time per run (each after the previous answer finished): the ack without queueing. */
const SINGLES = quick ? 3 : 5;
/** A fixed-rate stream for the first-visible measurement: 100 ms to the first token, then one every 20 ms. */
const PACED: Pace = { firstTokenMs: 100, gapMs: 20, tokens: quick ? 3 : 20 };
const ONE_AT_A_TIME = quick ? 2 : 3;
const AT_ONCE = 10;
/** The sustained rate, repeated where the budget allows; then the ladder (stopped at the ceiling). */
const SUSTAINED = { rate: 50, seconds: quick ? 3 : 6, runs: quick ? 1 : 3 };
const LADDER = quick ? { rates: [200, 400], seconds: 1.5 } : { rates: [100, 200, 400, 800], seconds: 6 };
const LOOPBACK_N = 100;
/**
 * No ladder step starts after this many seconds into the run: a step past the ceiling can take its length plus
 * the 15 s drain, and the part must stay within ~100 s (~20 s quick) even on a machine fast enough to climb high.
 */
const LADDER_BUDGET_S = quick ? 14 : 72;
/** A rate is sustained only if answers finish at least this share of it per second. */
const KEEP_UP = 0.9;

const t0 = performance.now();
const llm = new FakeLlm();

// ── Socket Mode ───────────────────────────────────────────────────────────────────────────────────────
type Load = 'one' | 'many';
interface FirstVisibleRuns { key: string; label: string; runs: Record<Load, Visible[][]> }

async function socketPart() {
  const native = await startSocketRig(llm, 'auto');
  const update = await startSocketRig(llm, 'update');
  try {
    // Warm-up: JIT, connection pools, and `auto` learning whether native streaming works.
    llm.pace = FAST;
    await ackBurst(native, 5, 'warm-up burst');
    await askAndTime(native, llm, ['warm-up native']);
    await askAndTime(update, llm, ['warm-up update']);
    const acks: number[][] = [];
    const singles: number[][] = [];
    const wsBurst: number[][] = [];
    const wsSingle: number[][] = [];
    const loopback: number[][] = [];
    const rigs: Array<[SocketRig, FirstVisibleRuns]> = [
      // `auto` is labelled by what it did in the warm-up: native streaming when the fake offered it.
      [native, { key: 'auto', label: native.slack.state.streams().length ? 'native (`auto`: chat.startStream / appendStream)' : '`auto`, fell back to update', runs: { one: [], many: [] } }],
      [update, { key: 'update', label: '`update` (placeholder + chat.update)', runs: { one: [], many: [] } }],
    ];
    for (let run = 0; run < RUNS; run++) {
      // Baselines first, on the idle process, so each run's figures have their own.
      wsBurst.push(await wsEcho(BURST));
      wsSingle.push(await wsEcho(1, 20));
      loopback.push(await loopbackRoundTrips(LOOPBACK_N));
      llm.pace = FAST;
      acks.push(await ackBurst(native, BURST, `burst ${run}`));
      const singleRun: number[] = [];
      for (let i = 0; i < SINGLES; i++) singleRun.push(...(await ackBurst(native, 1, `single ${run}.${i}`)));
      singles.push(singleRun);
      llm.pace = PACED;
      for (const [rig, fv] of rigs) {
        const one: Visible[] = [];
        for (let i = 0; i < ONE_AT_A_TIME; i++) one.push(...(await askAndTime(rig, llm, [`${fv.key} one ${run}.${i}`])));
        fv.runs.one.push(one);
        fv.runs.many.push(await askAndTime(rig, llm, Array.from({ length: AT_ONCE }, (_, i) => `${fv.key} many ${run}.${i}`)));
      }
    }
    return { acks, singles, wsBurst, wsSingle, loopback, firstVisible: rigs.map(([, fv]) => fv) };
  } finally {
    await native.close();
    await update.close();
  }
}

// ── HTTP Events API ───────────────────────────────────────────────────────────────────────────────────
interface Row { results: StepResult[]; loopback: number[][] }

let stoppedByBudget: number | undefined;

async function httpPart(): Promise<Row[]> {
  const slack = await startFakeSlack({ limits: {} });
  const adapter = adapterFor(slack, llm, 'http', 'update');
  llm.pace = FAST;
  try {
    await adapter.start();
    const url = `http://127.0.0.1:${adapter.address()!.port}/slack/events`;
    await httpStep(slack, llm, url, 20, 0.5, 'warm-up');
    const step = async (rate: number, seconds: number, tag: string, row: Row) => {
      row.loopback.push(await loopbackRoundTrips(LOOPBACK_N));
      const r = await httpStep(slack, llm, url, rate, seconds, tag);
      row.results.push(r);
      return r;
    };
    const sustained: Row = { results: [], loopback: [] };
    for (let i = 0; i < SUSTAINED.runs; i++) await step(SUSTAINED.rate, SUSTAINED.seconds, `sustained ${i}`, sustained);
    const rows = [sustained];
    for (const rate of LADDER.rates) {
      if ((performance.now() - t0) / 1000 > LADDER_BUDGET_S) {
        stoppedByBudget = rate;
        break;
      }
      const row: Row = { results: [], loopback: [] };
      rows.push(row);
      if (overCeiling(await step(rate, LADDER.seconds, `step ${rate}`, row))) break;
    }
    return rows;
  } finally {
    await adapter.stop();
    await slack.close();
  }
}

const socket = await socketPart();
const tSocket = performance.now();
const http = await httpPart();
const tHttp = performance.now();
const tierBursts: TierBurst[] = [];
for (const n of quick ? [10, 20] : [10, 30, 60]) tierBursts.push(await tierBurst(n));
const tTiers = performance.now();

// ── Output ────────────────────────────────────────────────────────────────────────────────────────────
const across = (runs: number[][], p: number) => percentileAcrossRuns(runs, p);
const ms = (s: Spread, digits = 1) => show(s, 'ms', digits);
const wsP = (p: number) => across(socket.wsBurst, p);
const lbP = (p: number) => across(socket.loopback, p);
const ackP = (p: number) => across(socket.acks, p);

const burstTable = [
  `| ${BURST} envelopes at once, ${RUNS} runs | p50 | p95 | p99 |`,
  '|---|---|---|---|',
  `| app_mention → ack at the fake (Bolt + adapter) | ${ms(ackP(50))} | ${ms(ackP(95))} | ${ms(ackP(99))} |`,
  `| baseline: bare \`ws\` echo, same burst | ${ms(wsP(50), 2)} | ${ms(wsP(95), 2)} | ${ms(wsP(99), 2)} |`,
  `| baseline: loopback HTTP POST round trip (one at a time) | ${ms(lbP(50), 2)} | ${ms(lbP(95), 2)} | ${ms(lbP(99), 2)} |`,
  `| ack ÷ bare \`ws\` echo | ${times(ackP(50).median, wsP(50).median, 0)} | ${times(ackP(95).median, wsP(95).median, 0)} | ${times(ackP(99).median, wsP(99).median, 0)} |`,
  `| ack ÷ loopback round trip | ${times(ackP(50).median, lbP(50).median, 0)} | ${times(ackP(95).median, lbP(95).median, 0)} | ${times(ackP(99).median, lbP(99).median, 0)} |`,
];
const single = across(socket.singles, 50);
const wsSingle = across(socket.wsSingle, 50);
const singleLine = `One envelope at a time (${SINGLES} per run, each after the previous answer finished): ack p50 ${ms(single, 2)}, ` +
  `bare \`ws\` echo of one frame p50 ${ms(wsSingle, 2)} (${times(single.median, wsSingle.median)}), loopback round trip p50 ${ms(lbP(50), 2)} (${times(single.median, lbP(50).median)}).`;

const loopbackP50 = lbP(50).median;
const fvRows = socket.firstVisible.flatMap(({ label, runs }) =>
  (['one', 'many'] as const).map((load) => {
    const v = runs[load].map((r) => r.map((x) => x.firstVisibleMs));
    const reply = runs[load].map((r) => r.map((x) => x.firstReplyMs));
    const calls = spread(runs[load].map((r) => percentile(r.map((x) => x.textCalls), 50)));
    const loadText = load === 'one' ? `one at a time (${ONE_AT_A_TIME} per run)` : `${AT_ONCE} at once`;
    return `| ${label} | ${loadText} | ${ms(across(v, 50))} | ${ms(across(v, 100))} | ${times(across(v, 50).median, loopbackP50)} | ${ms(across(reply, 50))} | ${show(calls, '', 0)} |`;
  }),
);
const fvTable = [
  `| streaming | questions | first token → first visible text p50 | max | p50 ÷ loopback round trip | mention → first reply shown p50 | text calls per answer |`,
  '|---|---|---|---|---|---|---|',
  ...fvRows,
];

const httpRows = http.map(({ results, loopback }) => {
  const r0 = results[0]!;
  const ack = results.map((r) => r.ack);
  const ans = results.map((r) => r.answer);
  const sum = (f: (r: StepResult) => number) => results.reduce((s, r) => s + f(r), 0);
  const statuses = new Map<string, number>();
  for (const r of results) for (const [k, n] of r.statuses) statuses.set(k, (statuses.get(k) ?? 0) + n);
  const non200 = sum((r) => r.non200);
  return `| ${r0.rate}/s × ${r0.seconds} s | ${results.length} | ${r0.sent} + ${show(spread(results.map((r) => r.retries)), '', 0)} | ${ms(across(ack, 50))} | ${ms(across(ack, 99))} | ` +
    `${times(across(ack, 50).median, across(loopback, 50).median)} | ${ms(across(ans, 50))} | ${ms(across(ans, 95))} | ${show(spread(results.map((r) => r.completedPerSec)), '', 0)} | ` +
    `${non200}${non200 ? ` (${[...statuses].map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''} | ${sum((r) => r.failed)} | ${sum((r) => r.duplicates)} |`;
});
const steps = http.map((row) => row.results);
const ceiling = steps.find((rs) => rs.some(overCeiling))?.find(overCeiling);
const passed = steps.filter((rs) => !rs.some(overCeiling));
/** Zero errors is not enough for "sustained": answers must also finish about as fast as questions come in. */
const finishedPerSec = (rs: StepResult[]) => spread(rs.map((r) => r.completedPerSec)).median;
const keptUp = passed.filter((rs) => finishedPerSec(rs) >= KEEP_UP * rs[0]!.rate);
const rateOf = (rs: StepResult[] | undefined) => rs?.[0]!.rate ?? 0;
const why = (r: StepResult) => [
  r.non200 ? `${r.non200} non-200 acks` : '', r.failed ? `${r.failed} unfinished answers` : '', r.duplicates ? `${r.duplicates} duplicate answers` : '',
  percentile(r.ack, 99) > ACK_LIMIT_MS ? `ack p99 ${percentile(r.ack, 99).toFixed(0)} ms` : '',
].filter(Boolean).join(', ');
const httpLoopback = spread(http.flatMap((row) => row.loopback.map((l) => percentile(l, 50))));

const secs = (a: number, b: number) => ((b - a) / 1000).toFixed(0);
const out = [
  `Real Bolt App and adapter against the loopback fake Slack, all in one process; ${quick ? 'quick mode' : 'full mode'}, ${RUNS} runs where repeated; ` +
    `figures are medians over runs with the min–max spread in brackets. Socket Mode part ${secs(t0, tSocket)} s, HTTP part ${secs(tSocket, tHttp)} s, ` +
    `rate-tier part ${secs(tHttp, tTiers)} s. The Socket Mode and HTTP parts run with the fake's rate tiers off: they measure the adapter, not what Slack accepts.`,
  '',
  `### Socket Mode ack (Slack's limit: ${ACK_LIMIT_MS} ms)`,
  '',
  ...burstTable,
  '',
  singleLine,
  '',
  '### LLM first token → first visible text (Socket Mode)',
  '',
  `Scripted LLM: first token ${PACED.firstTokenMs} ms after the question reaches it, then one every ${PACED.gapMs} ms (${PACED.tokens} tokens); ` +
    `updateIntervalMs ${UPDATE_INTERVAL_MS} (the default). "First visible" is when the fake holds the answer's first words; "first reply" is the placeholder ` +
    `or the opened stream, from the mention reaching the socket. Loopback round trip p50 in the same runs: ${ms(lbP(50), 2)}.`,
  '',
  ...fvTable,
  '',
  "### HTTP Events API: the adapter's own ceiling (Slack's rate tiers off)",
  '',
  `Signed deliveries on loopback; fake LLM answers in ~${FAST.firstTokenMs + (FAST.tokens - 1) * FAST.gapMs} ms; streaming \`update\`; ~${RETRY_SHARE * 100} % delivered twice as retries. ` +
    `"Answers finished per s" counts from the first delivery to the last answer, so it falls below the rate when answers lag (more so in short steps). ` +
    `Loopback HTTP round trip p50 before the steps: ${ms(httpLoopback, 2)}.`,
  '',
  '| load | runs | questions + retries | ack p50 | ack p99 | ack p50 ÷ loopback | question → final answer p50 | p95 | answers finished per s | non-200 acks | failed answers | duplicate answers |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...httpRows,
  '',
  keptUp.length
    ? `Adapter ceiling, tiers off: ${rateOf(keptUp.at(-1))} questions/s — not answers Slack would take (see below) — the highest rate with zero errors, ack p99 under ${ACK_LIMIT_MS / 1000} s and answers finished at ≥ ${KEEP_UP * 100} % of the rate offered.` +
      (rateOf(passed.at(-1)) > rateOf(keptUp.at(-1))
        ? ` Up to ${rateOf(passed.at(-1))}/s there were no errors either, but answers fell behind (${finishedPerSec(passed.at(-1)!).toFixed(0)}/s finished there): a backlog that grows.`
        : '')
    : `Adapter ceiling, tiers off: even ${SUSTAINED.rate} questions/s had errors, slow acks or answers falling behind.`,
  ceiling
    ? `Ceiling: ${ceiling.rate} questions/s (${why(ceiling)}); the ladder stops there. One process, fake Slack included.`
    : `Ceiling: not reached — no errors and ack p99 under ${ACK_LIMIT_MS / 1000} s up to ${steps.at(-1)![0]!.rate} questions/s` +
      `${stoppedByBudget ? ` (the ladder stopped before ${stoppedByBudget}/s to stay within the time budget)` : ''} (one process, fake Slack included).`,
  '',
  "### Within Slack's rate tiers: answers per minute",
  '',
  `The fake enforces Slack's tiers per method per workspace (Tier 2 chat.startStream/stopStream 20/min, Tier 3 chat.update 50/min, Tier 4 appendStream 100/min, ` +
    `chat.postMessage 5 per 5 s per channel), answering 429 + Retry-After beyond them. Questions at once over 5 channels; streaming \`auto\`; each answer streams ` +
    `${TIER_PACE.tokens} tokens over ~${((TIER_PACE.firstTokenMs + (TIER_PACE.tokens - 1) * TIER_PACE.gapMs) / 1000).toFixed(0)} s; updateIntervalMs ${UPDATE_INTERVAL_MS}. ` +
    'A final is dropped if the answer lacks its sources and buttons after 8 minutes. One run per burst, fresh budgets each.',
  '',
  ...tierTable(tierBursts),
];
process.stdout.write(`${out.join('\n')}\n`);
