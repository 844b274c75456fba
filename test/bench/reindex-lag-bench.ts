/**
 * `npm run bench`, event-loop part: does a reindex in the bot process delay Discord acknowledgements?
 * The real Discord adapter (discord.js) on the loopback fake Discord (discord-rig.ts) shares one process with a
 * from-scratch reindex of real shared catalogs — the PostgreSQL manual (HTML), the USFS FGDC and DCAT catalogs and
 * the two PDFs — into an embedded Chroma with the default no-download embedder, as `docent start` would run it.
 * While the reindex runs, 20 `/ask` arrive spread evenly over its expected length; each one's ack is the time from
 * INTERACTION_CREATE leaving the fake to the fake accepting the deferred (type-5) callback. Event-loop lag is
 * sampled throughout with perf_hooks.monitorEventLoopDelay. The fake shares the bot's event loop, so an ask due
 * during a block is only sent after it; real Discord would have sent it on time. Each ack is therefore timed from
 * when its ask was due, not from when the blocked fake got round to sending it. The baseline, in the same run just before: the same 20
 * asks over a few seconds with no reindex. Each figure is the median of the runs (min–max over the runs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../../src/config/load-config.js';
import { closeParsePool } from '../../src/indexing/parse-pool.js';
import { createLogger } from '../../src/logging/logger.js';
import { resolveEmbedder } from '../../src/runtime/embedder-factory.js';
import { createReindexRunner } from '../../src/runtime/reindex-runner.js';
import { openVectorStores } from '../../src/runtime/vector-stores.js';
import { ACK_LIMIT_MS, DiscordRig, type Ask, type StreamShape } from './discord-rig.js';
import { resetIndex } from './index-timing.js';
import { repoRoot } from './repo-root.js';
import { linkSharedModels } from './shared-models.js';
import { percentile, quickMode, repeat, repetitions, show, spread, times, type Spread } from './stats.js';

const wall0 = performance.now();
const quick = quickMode();
const RUNS = repetitions(3, 2);
const ASKS = 20;
/** The bar: an acknowledgement never later than this during a reindex (Discord's own limit is 3 s). */
const ACK_TARGET_MS = 1000;
const BASELINE_SEC = quick ? 2 : 5;
/** Short answers: the ack is what is measured; the stream only has to finish so the next run starts clean. */
const SHAPE: StreamShape = { firstTokenMs: 100, tokenGapMs: 50, tokens: 3 };
/** monitorEventLoopDelay's sampling timer; each sample is that timer's actual interval, so lag = sample − this. */
const RESOLUTION_MS = 10;

const shared = path.resolve(repoRoot(import.meta.dirname), '../shared');
// Quick mode: the PostgreSQL manual alone is most of the work; full mode adds the USFS catalogs and the PDFs.
const sources = [path.join(shared, 'catalogs/pgdocs'), ...(quick ? [] : [path.join(shared, 'catalogs/usfs'), path.join(shared, 'pdfs')])];
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-lag-bench-'));
const dataDir = path.join(work, 'data');
linkSharedModels(dataDir);
const config = loadConfig({ env: { EMBEDDER: 'word-vectors' }, overrides: { dataDir, sources } });
const logger = createLogger({ level: 'warn', pretty: 'never' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Window { lag: { p50: number; p99: number; max: number }; acks: number[]; missing: number; seconds: number }

const rig = await DiscordRig.start(1000);
const stores = await openVectorStores(config, logger);
let exitCode = 0;
try {
  const { embedder } = await resolveEmbedder(config, null, logger);
  const runner = createReindexRunner({ config, embedder, stores: stores.stores, logger, swap: async () => undefined });

  /** Sends ASKS questions `gapMs` apart while `during` runs, then waits for every answer; lag sampled throughout. */
  const measure = async (gapMs: number, during: Promise<unknown>): Promise<Window> => {
    const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    h.enable();
    const t0 = performance.now();
    const asks: Array<{ ask: Ask; dueAt: number }> = [];
    for (let i = 0; i < ASKS; i++) {
      const dueAt = t0 + (i + 1) * gapMs;
      await sleep(dueAt - performance.now());
      asks.push({ ask: rig.ask(SHAPE), dueAt });
    }
    await during;
    const seconds = (performance.now() - t0) / 1000;
    h.disable();
    await rig.waitFinished(asks.map((a) => a.ask), 10_000);
    await rig.settle(asks.map((a) => a.ask));
    const lag = (p: number) => Math.max(0, p / 1e6 - RESOLUTION_MS);
    // ackMs runs from when the fake sent the interaction; add how late the blocked loop let it be sent.
    const acks = asks.flatMap(({ ask, dueAt }) => {
      const ack = rig.outcome(ask).ackMs;
      return ack === undefined ? [] : [ack + (ask.sentAt - dueAt)];
    });
    return { lag: { p50: lag(h.percentile(50)), p99: lag(h.percentile(99)), max: lag(h.max) }, acks, missing: ASKS - acks.length, seconds };
  };
  const reindex = async (): Promise<number> => {
    const t0 = performance.now();
    await runner.run('admin');
    return (performance.now() - t0) / 1000;
  };

  // Warm-up: JIT, Chroma, the OS file cache and the first answer's routes — and the reindex length the asks are
  // spread over (they arrive from its start to ~95 % of it).
  await rig.waitFinished([rig.ask(SHAPE)], 10_000);
  await resetIndex(dataDir, stores.stores);
  let expected = await reindex();

  const runs = await repeat(RUNS, async () => {
    await resetIndex(dataDir, stores.stores);
    const idle = await measure((BASELINE_SEC * 1000) / ASKS, Promise.resolve());
    const during = await measure((expected * 1000 * 0.95) / (ASKS + 1), reindex());
    expected = during.seconds;
    return { idle, during };
  });

  const across = (f: (r: (typeof runs)[number]) => number): Spread => spread(runs.map(f));
  const ms = (s: Spread) => show(s, 'ms');
  const lagRow = (name: string, w: (r: (typeof runs)[number]) => Window) => {
    const [p50, p99, max] = [across((r) => w(r).lag.p50), across((r) => w(r).lag.p99), across((r) => w(r).lag.max)];
    return { p50, p99, max, cells: `${ms(p50)} | ${ms(p99)} | ${ms(max)}`, name };
  };
  const ackRow = (w: (r: (typeof runs)[number]) => Window) => {
    const [p50, p99, max] = [50, 99, 100].map((p) => across((r) => percentile(w(r).acks, p)));
    return { p50: p50!, p99: p99!, max: max!, cells: `${ms(p50!)} | ${ms(p99!)} | ${ms(max!)}` };
  };
  const lagDuring = lagRow('during', (r) => r.during);
  const lagIdle = lagRow('idle', (r) => r.idle);
  const ackDuring = ackRow((r) => r.during);
  const ackIdle = ackRow((r) => r.idle);
  const missing = runs.reduce((n, r) => n + r.during.missing + r.idle.missing, 0);
  const seconds = across((r) => r.during.seconds);
  const lines = [
    `A from-scratch reindex of ${sources.map((s) => path.relative(shared, s)).join(' + ')} (${runs.length} runs; word-vector embedder, embedded Chroma) ` +
      `in the same process as the Discord adapter on the loopback fake, while ${ASKS} \`/ask\` arrive spread over it. ` +
      `Baseline: the same ${ASKS} asks over ${BASELINE_SEC} s with no reindex, in the same runs just before. ` +
      `Event-loop lag: perf_hooks.monitorEventLoopDelay (${RESOLUTION_MS} ms timer, lag = sample − ${RESOLUTION_MS} ms), over each window. ` +
      `Ack: the moment the ask was due (the fake shares the loop and sends late when it is blocked) → the fake accepting the type-5 callback (Discord's limit ${ACK_LIMIT_MS} ms; target here ${ACK_TARGET_MS} ms). ` +
      `Each figure: median over the runs (min–max). Asks without an accepted ack: ${missing}. Reindex time: ${show(seconds, 's')}.`,
    '',
    '| measure | p50 | p99 | max | baseline p50 / p99 / max (no reindex) | ratio of p99 medians |',
    '|---|---|---|---|---|---|',
    `| event-loop lag p99 during a reindex | ${lagDuring.cells} | ${lagIdle.cells.replaceAll(' | ', ' / ')} | ${times(lagDuring.p99.median, Math.max(lagIdle.p99.median, 1))} (baseline floored at 1 ms) |`,
    `| /ask → type-5 callback during a reindex (${ASKS} per run) | ${ackDuring.cells} | ${ackIdle.cells.replaceAll(' | ', ' / ')} | ${times(ackDuring.p99.median, ackIdle.p99.median)} |`,
    '',
    `Ack p99 during a reindex over ${ACK_TARGET_MS} ms in ${runs.filter((r) => percentile(r.during.acks, 99) >= ACK_TARGET_MS || r.during.missing > 0).length} of ${runs.length} runs.`,
    `_(this part: ${((performance.now() - wall0) / 1000).toFixed(1)} s wall in ${quick ? 'quick' : 'full'} mode)_`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (err) {
  exitCode = 1;
  process.stderr.write(`reindex lag bench failed: ${(err as Error).stack ?? String(err)}\n`);
} finally {
  await closeParsePool();
  await Promise.race([rig.close(), sleep(300)]);
  await stores.close();
  rmSync(work, { recursive: true, force: true });
  process.exit(exitCode);
}
