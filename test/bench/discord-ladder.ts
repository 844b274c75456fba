/**
 * The Discord bench's load ladder. One step offers /ask at a fixed rate, without a pause, for a few
 * consecutive windows; each window is one run of the step's figures, so a backlog that builds up shows as
 * windows getting worse, and one drain at the end serves them all (the wall-time budget has no room for a
 * drain per run). Errors are counted at the fake, not inferred from the adapter's view: a missing or refused
 * type-5 callback, an answer whose final edit (with **Sources**) has not landed by the deadline ("late"), any
 * 429, any other failed REST call, and anything the adapter logged at warn or above. Events that are not tied
 * to one question (REST failures, logs, discord.js waits) count in the window during which they happened;
 * the last window also takes the drain.
 */
import { ACK_LIMIT_MS, type Ask, type AskOutcome, type DiscordRig, type StreamShape } from './discord-rig.js';
import { percentile } from './stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WindowResult {
  questions: number;
  outcomes: AskOutcome[];
  noAck: number;
  late: number;
  http429: number;
  failedRest: number;
  adapterLogs: number;
  /** Times discord.js held a request back for its client-side global cap. */
  globalWaits: number;
  ok: boolean;
}

export interface StepResult {
  rate: number;
  windowSec: number;
  /** Seconds the whole step took to send (the timer can lag the schedule under load). */
  sendSec: number;
  windows: WindowResult[];
  /**
   * Bot-token REST requests the step made per question (thread creation, channel messages): interaction
   * callbacks and interaction-webhook edits are left out, since Discord exempts them from its global limit and
   * the adapter sends them outside discord.js's cap (src/adapters/discord/interaction-rest.ts).
   */
  restPerAnswer: number;
  /**
   * Answers finished per second over the whole step: finished ÷ (last final edit − first question − one
   * answer's own length + one question gap). Equal to the offered rate when answers come out as fast as they
   * go in; lower when a backlog builds (the last answer lands late) or answers never finish, even before
   * any of them is late.
   */
  completedPerSec: number;
  /** Whether completedPerSec reached KEEP_UP of the offered rate. */
  keepsUp: boolean;
  ok: boolean;
}

/** The share of the offered rate the answers must come out at for a step to count as sustained. */
export const KEEP_UP = 0.9;

export const errorsOf = (w: WindowResult) => w.noAck + w.late + w.http429 + w.failedRest + w.adapterLogs;

/** One step: `rate`/s for `windows`×`windowSec` seconds on a drift-free schedule, then waits out the deadline. */
export async function step(
  rig: DiscordRig, o: { rate: number; windows: number; windowSec: number; shape: StreamShape; lateMs: number },
): Promise<StepResult> {
  const { state } = rig.discord;
  const firstRequest = state.requests.length;
  const perWindow = Math.max(1, Math.round(o.rate * o.windowSec));
  const t0 = performance.now();
  const asks: Ask[][] = Array.from({ length: o.windows }, () => []);
  for (let i = 0; i < perWindow * o.windows; i++) {
    const wait = t0 + (i * 1000) / o.rate - performance.now();
    if (wait > 0) await sleep(wait);
    asks[Math.floor(i / perWindow)]!.push(rig.ask(o.shape));
  }
  const sendSec = (performance.now() - t0) / 1000;
  await rig.waitFinished(asks.flat(), o.lateMs);
  // When every answer finished, also wait for their threads, so the request count below is complete and
  // the next step starts on an idle client. (A failing step ends the ladder; its count stays short.)
  if (asks.flat().every((a) => rig.finished(a))) await rig.settle(asks.flat());

  const requests = state.requests.slice(firstRequest);
  const windows = asks.map((windowAsks, w): WindowResult => {
    const from = w === 0 ? Number.NEGATIVE_INFINITY : windowAsks[0]!.sentAt;
    const to = w === o.windows - 1 ? Number.POSITIVE_INFINITY : asks[w + 1]![0]!.sentAt;
    const inWindow = (at: number) => at >= from && at < to;
    const outcomes = windowAsks.map((a) => rig.outcome(a));
    const reqs = requests.filter((q) => inWindow(q.at));
    const r: WindowResult = {
      questions: windowAsks.length, outcomes,
      noAck: outcomes.filter((x) => x.ackMs === undefined || x.ackMs > ACK_LIMIT_MS).length,
      late: outcomes.filter((x) => x.finishMs === undefined || x.finishMs > o.lateMs).length,
      http429: reqs.filter((q) => q.status === 429).length,
      failedRest: reqs.filter((q) => q.status >= 400 && q.status !== 429).length,
      adapterLogs: rig.adapterLogs.filter((at) => at >= t0 && inWindow(at)).length,
      globalWaits: rig.clientWaits.global.filter((at) => at >= t0 && inWindow(at)).length,
      ok: false,
    };
    r.ok = errorsOf(r) === 0 && percentile(outcomes.map((x) => x.ackMs ?? Number.POSITIVE_INFINITY), 99) < ACK_LIMIT_MS;
    return r;
  });
  const questions = perWindow * o.windows;
  const finishes = windows.flatMap((w) => w.outcomes.map((x) => x.finishedAt)).filter((t): t is number => t !== undefined);
  const ownMs = o.shape.firstTokenMs + (o.shape.tokens - 1) * o.shape.tokenGapMs;
  const span = (Math.max(...finishes) - asks[0]![0]!.sentAt - ownMs + 1000 / o.rate) / 1000;
  const completedPerSec = finishes.length ? finishes.length / span : 0;
  const keepsUp = completedPerSec >= KEEP_UP * o.rate;
  return {
    rate: o.rate, windowSec: o.windowSec, sendSec, windows,
    restPerAnswer: requests.filter((q) => !q.path.endsWith('/callback') && !q.path.startsWith('/webhooks/')).length / questions,
    completedPerSec, keepsUp,
    ok: keepsUp && windows.every((w) => w.ok),
  };
}
