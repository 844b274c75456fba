/**
 * The Discord adapter's latency, edit rate and load ceiling (issue 9), through the loopback fake Discord
 * and the real discord.js client (`npm run build && node dist/test/bench/discord-bench.js`; quick mode
 * ≤ 15 s, full ≤ 60 s). A scripted "LLM" streams one token every 50 ms; the first-token delay and the
 * length suit each measurement and are printed with it.
 *
 *  1. 20 /ask interactions dispatched at once: INTERACTION_CREATE reaching the socket → type-5 callback at
 *     the fake (Discord's limit is 3 s), p50/p95/p99.
 *  2. LLM first token → first visible text (the first @original PATCH with content) for the same 20
 *     concurrent answers, and for answers asked one at a time.
 *  3. Edits per answer and per second, against the rate the fake's X-RateLimit headers allow.
 *  4. A ladder of offered rates, each held for a few seconds (three consecutive windows, one run each): the
 *     highest rate with zero errors that keeps up, and its ceiling (see discord-ladder.ts for the errors).
 *
 * Every figure is the median over repeated runs with the min–max across them. Beside the latencies sits a
 * bare node:http round trip on loopback measured in the same run (what any request costs at least here);
 * beside the load figures, the ceiling discord.js's own global request cap implies for the measured number
 * of REST requests per answer. The fake, the client, the adapter and the load generator share this one
 * process and its CPU, so absolute figures are floors for a real deployment; the ratios travel better.
 */
import os from 'node:os';
import { loopbackRoundTrips } from './baseline.js';
import { errorsOf, KEEP_UP, step, type StepResult, type WindowResult } from './discord-ladder.js';
import { ACK_LIMIT_MS, DiscordRig, describeShape, type AskOutcome, type StreamShape } from './discord-rig.js';
import { percentile, percentileAcrossRuns, quickMode, repeat, repetitions, show, spread, times, type Spread } from './stats.js';

const wall0 = performance.now();
const quick = quickMode();
const RUNS = repetitions(5, 3);
const EDIT_INTERVAL_MS = 1000;
const BURST = 20;
const ONE_AT_A_TIME = quick ? 3 : 4;
const LOOPBACK_TRIPS = 100;
// Stream lengths are set by the wall-time budget. The burst's stream spans one edit interval so the edit-rate
// rows see a throttled mid-stream edit; the one-at-a-time answers only need their first token shown.
const BURST_SHAPE: StreamShape = { firstTokenMs: 200, tokenGapMs: 50, tokens: 21 };
const SOLO_SHAPE: StreamShape = { firstTokenMs: 100, tokenGapMs: 50, tokens: 3 };
// Quick mode's ladder answers are shorter than one edit interval (first edit + final only), so they cost one
// REST request less each; the output states the shape and the measured requests per answer.
const LADDER_SHAPE: StreamShape = { firstTokenMs: 200, tokenGapMs: 50, tokens: quick ? 11 : 21 };
// Full mode climbs in small steps near the expected ceiling so it is located, not just bracketed; quick mode
// only brackets it. Steps are long enough (full: 7.5 s, six answer lengths) for a backlog to show.
const LADDER_RATES = quick ? [10, 80] : [15, 30, 45, 60, 80];
const LADDER_WINDOWS = 3;
const LADDER_WINDOW_SEC = quick ? 1 / 3 : 2.5;
/** No ladder step starts that could end past this much wall time (the part's budget: 15 s quick, 60 s full). */
const LADDER_BUDGET_SEC = quick ? 14 : 55;
/** An answer is late (an error) when its final edit lands more than twice the LLM's own time after the question. */
const nominalMs = (s: StreamShape) => s.firstTokenMs + (s.tokens - 1) * s.tokenGapMs;
const LATE_MS = 2 * nominalMs(LADDER_SHAPE);

/**
 * discord.js's default globalRequestsPerSecond. The adapter keeps it for bot-token requests and takes interaction
 * routes out of it (src/adapters/discord/interaction-rest.ts), as Discord does with its own global limit.
 */
const GLOBAL_CAP = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const defined = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);

interface BurstRun { loopback: number[]; ack: number[]; firstVisible: number[]; edits: number[]; editsPerSec: number[]; missing: number; globalWaits: number }

const rig = await DiscordRig.start(EDIT_INTERVAL_MS);
let exitCode = 0;
try {
  // Warm-up: the first answer pays for JIT, the channel cache and the first connection to each route.
  const warm = rig.ask(SOLO_SHAPE);
  await rig.waitFinished([warm], 10_000);
  await rig.settle([warm]);
  const phase: Record<'bursts' | 'solos' | 'ladder', number> = { bursts: 0, solos: 0, ladder: 0 };
  const timed = async <T>(name: keyof typeof phase, work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const out = await work();
    phase[name] = (performance.now() - t) / 1000;
    return out;
  };

  // Each run measures its loopback baseline just before its answers, so both see the same machine load.
  const bursts = await timed('bursts', () => repeat(RUNS, async () => {
    const loopback = await loopbackRoundTrips(LOOPBACK_TRIPS);
    const waits = rig.clientWaits.global.length;
    const asks = Array.from({ length: BURST }, () => rig.ask(BURST_SHAPE));
    await rig.waitFinished(asks, 4 * nominalMs(BURST_SHAPE));
    await rig.settle(asks);
    return summarise(loopback, asks.map((a) => rig.outcome(a)), rig.clientWaits.global.length - waits);
  }));
  // One at a time: each question is asked only after the previous answer has finished.
  const solos = await timed('solos', () => repeat(RUNS, async () => {
    const loopback = await loopbackRoundTrips(LOOPBACK_TRIPS);
    const waits = rig.clientWaits.global.length;
    const o: AskOutcome[] = [];
    for (let i = 0; i < ONE_AT_A_TIME; i++) {
      const a = rig.ask(SOLO_SHAPE);
      await rig.waitFinished([a], 4 * nominalMs(SOLO_SHAPE));
      await rig.settle([a]);
      o.push(rig.outcome(a));
    }
    return summarise(loopback, o, rig.clientWaits.global.length - waits);
  }));
  // The ladder stops at the first failing step (the ceiling), or before a step that would overrun the budget.
  const ladder = await timed('ladder', async () => {
    const steps: StepResult[] = [];
    let outOfTime = false;
    for (const rate of LADDER_RATES) {
      const stepSec = LADDER_WINDOWS * LADDER_WINDOW_SEC + LATE_MS / 1000 + 0.3;
      if ((performance.now() - wall0) / 1000 + stepSec > LADDER_BUDGET_SEC) {
        outOfTime = true;
        break;
      }
      const res = await step(rig, { rate, windows: LADDER_WINDOWS, windowSec: LADDER_WINDOW_SEC, shape: LADDER_SHAPE, lateMs: LATE_MS });
      steps.push(res);
      if (!res.ok) break;
    }
    return { steps, outOfTime };
  });

  const lines = [...latencyReport(bursts, solos), '', ...ladderReport(ladder.steps, ladder.outOfTime), ''];
  lines.push(`_(this part: ${((performance.now() - wall0) / 1000).toFixed(1)} s wall in ${quick ? 'quick' : 'full'} mode: ` +
    `bursts ${phase.bursts.toFixed(1)} s, one at a time ${phase.solos.toFixed(1)} s, ladder ${phase.ladder.toFixed(1)} s)_`);
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (err) {
  exitCode = 1;
  process.stderr.write(`discord bench failed: ${(err as Error).stack ?? String(err)}\n`);
} finally {
  // An overloaded ceiling step leaves answers queued behind discord.js's rate limiter; the adapter's graceful
  // stop would wait for them (up to 5 s). Give it a moment, then exit: every figure is already measured.
  await Promise.race([rig.close(), sleep(300)]);
  process.exit(exitCode);
}

function summarise(loopback: number[], o: AskOutcome[], globalWaits: number): BurstRun {
  return {
    globalWaits,
    loopback, ack: defined(o.map((x) => x.ackMs)), firstVisible: defined(o.map((x) => x.firstVisibleMs)),
    edits: o.map((x) => x.edits), editsPerSec: o.map((x) => x.editsPerSec),
    missing: o.filter((x) => x.ackMs === undefined || x.finishMs === undefined).length,
  };
}

function latencyReport(bursts: BurstRun[], solos: BurstRun[]): string[] {
  const across = (runs: BurstRun[], pick: (r: BurstRun) => number[], p: number) => percentileAcrossRuns(runs.map(pick), p);
  const ms = (s: Spread) => show(s, 'ms');
  const loop50 = across(bursts, (r) => r.loopback, 50);
  const loop99 = across(bursts, (r) => r.loopback, 99);
  const ack = [50, 95, 99].map((p) => across(bursts, (r) => r.ack, p));
  const fvBurst = [50, 95].map((p) => across(bursts, (r) => r.firstVisible, p));
  const soloLoop50 = across(solos, (r) => r.loopback, 50);
  const fvSolo = [50, 95].map((p) => across(solos, (r) => r.firstVisible, p));
  const edits = across(bursts, (r) => r.edits, 50);
  const eps = [50, 95].map((p) => across(bursts, (r) => r.editsPerSec, p));
  const { limit, windowSec } = rig.editBucket;
  const allowed = windowSec > 0 ? limit / windowSec : Number.NaN;
  const missing = [...bursts, ...solos].reduce((n, r) => n + r.missing, 0);
  return [
    `Discord adapter through the loopback fake Discord and the real discord.js client, all in one process on ${os.cpus().length} cores; ` +
      `fake LLM streaming at a fixed rate; editIntervalMs ${EDIT_INTERVAL_MS}. Each figure is the median of ${RUNS} runs (min–max over the runs); ` +
      `the baseline is a bare node:http POST round trip on 127.0.0.1, ${LOOPBACK_TRIPS} per run, measured in the same run just before its answers; ratios divide by its p50 (one round trip; its p99 is too noisy to divide by). ` +
      `Streams: ${BURST} at once: ${describeShape(BURST_SHAPE)}; one at a time: ${describeShape(SOLO_SHAPE)}. ` +
      `Answers in these runs without an ack or a final edit: ${missing}; 429s: ${rig.discord.state.rateLimits.length}; ` +
      `requests discord.js held back for its global cap of 50/s (bot-token routes only), per run: ${bursts.map((r) => r.globalWaits).join(', ')} (${BURST} at once), ` +
      `${solos.map((r) => r.globalWaits).join(', ')} (one at a time).`,
    '',
    '| measure | p50 | p95 | p99 | baseline (same runs) | ratio of medians |',
    '|---|---|---|---|---|---|',
    `| /ask → type-5 callback, ${BURST} at once (limit ${ACK_LIMIT_MS} ms) | ${ms(ack[0]!)} | ${ms(ack[1]!)} | ${ms(ack[2]!)} | ` +
      `loopback p50 ${ms(loop50)}; p99 ${ms(loop99)} | p50 ÷ loopback p50: ${times(ack[0]!.median, loop50.median)}; p99 ÷ loopback p50: ${times(ack[2]!.median, loop50.median)} |`,
    `| LLM first token → first visible text, ${BURST} at once | ${ms(fvBurst[0]!)} | ${ms(fvBurst[1]!)} | | loopback p50 ${ms(loop50)} | p50 ÷ loopback p50: ${times(fvBurst[0]!.median, loop50.median)} |`,
    `| LLM first token → first visible text, one at a time (${ONE_AT_A_TIME} per run) | ${ms(fvSolo[0]!)} | ${ms(fvSolo[1]!)} | | loopback p50 ${ms(soloLoop50)} | p50 ÷ loopback p50: ${times(fvSolo[0]!.median, soloLoop50.median)} |`,
    `| @original edits per answer (${BURST} at once, ${nominalMs(BURST_SHAPE) / 1000} s answers) | ${show(edits)} | | | | |`,
    `| edits per second per answer | ${show(eps[0]!, '/s', 2)} | ${show(eps[1]!, '/s', 2)} | | allowed by the edit route's headers: ${limit} per ${windowSec} s = ${allowed.toFixed(2)}/s | p95 ÷ allowed: ${times(eps[1]!.median, allowed, 2)} |`,
  ];
}

/** The answers/s discord.js's global cap allows at a step's measured REST requests per answer. */
function capBound(s: StepResult): number {
  return GLOBAL_CAP / s.restPerAnswer;
}

function whyFailed(s: StepResult): string {
  const why: string[] = [];
  if (!s.keepsUp) why.push(`answers finished at ${s.completedPerSec.toFixed(1)}/s`);
  const errors = s.windows.reduce((n, w) => n + errorsOf(w), 0);
  if (errors) why.push(`${errors} error${errors > 1 ? 's' : ''}`);
  if (s.windows.some((w) => !w.ok && errorsOf(w) === 0)) why.push(`ack p99 over ${ACK_LIMIT_MS} ms`);
  return why.join(', ');
}

function ladderReport(steps: StepResult[], outOfTime: boolean): string[] {
  // A percentile that reaches an answer with no first text or no final edit is infinite: shown as ∞.
  const over = (ws: WindowResult[], f: (w: WindowResult) => number, unit = '', digits = 1) => {
    const s = spread(ws.map(f));
    if (Number.isFinite(s.max)) return show(s, unit, digits);
    const n = (v: number) => (Number.isFinite(v) ? v.toFixed(digits) : '∞');
    return `${n(s.median)} ${unit} (${n(s.min)}–${n(s.max)})`;
  };
  const pct = (o: AskOutcome[], f: (x: AskOutcome) => number | undefined, p: number) => percentile(o.map((x) => f(x) ?? Number.POSITIVE_INFINITY), p);
  const errorsText = (w: WindowResult) => {
    const kinds: [number, string][] = [[w.noAck, 'no ack'], [w.late, 'late'], [w.http429, '429'], [w.failedRest, 'failed REST'], [w.adapterLogs, 'adapter warn/error']];
    return errorsOf(w) === 0 ? '0' : kinds.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(', ');
  };
  const rows = steps.map((s) => {
    const ws = s.windows;
    return `| ${s.rate}/s${s.ok ? '' : ' ✗'} | ${ws.length} × ${ws[0]!.questions} in ${s.sendSec.toFixed(2)} s | ` +
      `${over(ws, (w) => pct(w.outcomes, (x) => x.ackMs, 99), 'ms')} | ` +
      `${over(ws, (w) => pct(w.outcomes, (x) => x.firstVisibleMs, 50), 'ms')} / ${over(ws, (w) => pct(w.outcomes, (x) => x.firstVisibleMs, 95), 'ms')} | ` +
      `${over(ws, (w) => pct(w.outcomes, (x) => x.finishMs, 50), 'ms', 0)} / ${over(ws, (w) => pct(w.outcomes, (x) => x.finishMs, 95), 'ms', 0)} | ` +
      `${s.completedPerSec.toFixed(1)} (${((100 * s.completedPerSec) / s.rate).toFixed(0)} %) | ${s.restPerAnswer.toFixed(1)} → ${capBound(s).toFixed(1)}/s | ${ws.map((w) => w.globalWaits).join(' / ')} | ${ws.map(errorsText).join(' / ')} |`;
  });
  const sustained = steps.filter((s) => s.ok).at(-1);
  const ceiling = steps.find((s) => !s.ok);
  const lastRate = steps.at(-1)?.rate;
  const verdict = steps.length === 0
    ? 'The ladder did not run: the time budget was spent before its first step.'
    : `Sustained with zero errors: ${sustained ? `${sustained.rate} questions/s (held ${+(LADDER_WINDOWS * LADDER_WINDOW_SEC).toFixed(2)} s)` : 'none (the lowest step failed)'}. ` +
      `Ceiling: ${ceiling ? `${ceiling.rate} questions/s (${whyFailed(ceiling)})` : `not reached up to ${lastRate}/s${outOfTime ? ' (the ladder stopped there to stay within the time budget)' : ''}`}. ` +
      `Baseline (the requests-per-answer column): discord.js caps a client at ${GLOBAL_CAP} REST requests/s (globalRequestsPerSecond). Interaction ` +
      `callbacks and webhook edits are exempt from Discord's global limit and the adapter sends them outside that cap, so only the bot-token ` +
      `requests per answer (the thread on the answer) bound the answers/s that can last ` +
      `(a failing step's count stops while some of its requests are still queued)` +
      (sustained ? `; sustained ÷ its step's bound: ${times(sustained.rate, capBound(sustained), 2)}` +
        (sustained.rate > capBound(sustained) ? ` — above the bound, so the ${+(LADDER_WINDOWS * LADDER_WINDOW_SEC).toFixed(2)} s hold ran on a growing backlog and a longer one may fail.` : '.')
        : '.');
  return [
    `Sustained load: /ask offered at a fixed rate for ${LADDER_WINDOWS} consecutive windows of ${+LADDER_WINDOW_SEC.toFixed(2)} s per step, each window one run ` +
      `(median, min–max over the windows); rates ${LADDER_RATES.join(', ')}/s, stopping at the first failing step. ` +
      `Stream: ${describeShape(LADDER_SHAPE)}, ${nominalMs(LADDER_SHAPE)} ms in all. ` +
      `Errors: no type-5 callback within ${ACK_LIMIT_MS} ms; final answer (with **Sources**) not landed within ${LATE_MS} ms of the question ` +
      `(twice the LLM's own time: "late"); any 429; any other failed REST call; any adapter warning or error. ` +
      `A step is sustained when no window has an error, every window's ack p99 is under ${ACK_LIMIT_MS} ms, and answers finish at ` +
      `≥ ${KEEP_UP * 100} % of the offered rate over the step (a backlog that grows fails this before it makes answers late). All questions go to one channel. ` +
      `∞: the percentile reaches an answer that had no first text or no final edit by the deadline.`,
    '',
    '| offered | questions (windows × per window, send time) | ack p99 | LLM first token → first visible p50 / p95 | question → final answer p50 / p95 | completed answers/s, whole step (% of offered) | bot-token REST requests per answer (interaction routes aside) → answers/s the discord.js cap allows | discord.js global-cap waits per window | errors per window |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    verdict,
  ];
}
