/**
 * `npm run bench`, serving part (issues 7 and 9): `docent start` as a Space runs it — Slack over Socket Mode
 * (the loopback fake), the status server, the sample catalog already indexed —
 *  1. cold start: process spawn → /readyz 200, over R starts, beside a bare Node start measured between them;
 *     and the embedded Chroma server alone (spawn → heartbeat), the part of the start Docent waits on;
 *  2. memory: RSS of Docent and of its embedded Chroma at idle and after N answers (20 questions in flight, asked
 *     through the web chat API: Slack's tiers would pace them at ~50 a minute), each sampled several times, beside
 *     the RSS of a bare Node process sampled at the same moments.
 * Every figure is the median with its spread (min–max); every number comes from this run.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { indexPaths } from '../../src/indexing/index-files.js';
import { createLogger } from '../../src/logging/logger.js';
import { findFreePort, startChromaServer } from '../../src/stores/chroma-supervisor.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack/index.js';
import { readSse } from '../helpers/sse.js';
import { bareNodeStartMs } from './baseline.js';
import { repoRoot } from './repo-root.js';
import { linkSharedModels } from './shared-models.js';
import { quickMode, repetitions, show, spread, times, type Spread } from './stats.js';

const wall0 = performance.now();
const run = promisify(execFile);
const repo = repoRoot(import.meta.dirname);
const bin = path.join(repo, 'bin/docent.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-serve-bench-'));
const dataDir = path.join(work, 'data');
// The word-vector table comes from the tests' shared cache: this part measures serving, not the one-time conversion.
linkSharedModels(dataDir);
const env = (extra: Record<string, string>) => ({ PATH: process.env.PATH ?? '', HOME: work, LOG_LEVEL: 'warn', LOG_PRETTY: 'never', EMBEDDER: 'word-vectors', DATA_DIR: dataDir, ...extra });

const quick = quickMode();
const STARTS = repetitions(5, 3);
const ANSWERS = quick ? 100 : 1000;
const IN_FLIGHT = 20;
// RSS moves by a few MB from one moment to the next (GC, allocator); several samples give a median and a spread.
const RSS_SAMPLES = 5;
const RSS_GAP_MS = 200;
// After ready and after the last answer: let the start-up and the answers' garbage settle before sampling
// (shorter in quick mode, for its wall-time budget).
const SETTLE_MS = quick ? 1000 : 2000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const phase = (what: string) => process.stderr.write(`serve-bench: ${what} at ${((performance.now() - wall0) / 1000).toFixed(1)} s\n`);

const rssMb = (pid: number | undefined): number => {
  if (pid === undefined) return 0;
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0; // gone
  }
};
// The embedded Chroma server is Docent's only child process (spawned from the main thread, so listed here).
const children = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
interface Rss { docent: number; chroma: number; sum: number; bare: number }
const sampleRss = (docentPid: number, barePid?: number): Rss => {
  const docent = rssMb(docentPid);
  const chroma = children(docentPid).reduce((s, p) => s + rssMb(p), 0);
  return { docent, chroma, sum: docent + chroma, bare: rssMb(barePid) };
};

/**
 * RSS_SAMPLES samples RSS_GAP_MS apart, of Docent, its Chroma and a bare Node process started for the purpose
 * (so the baseline is sampled at the same moments, under the same load). The bare process is spawned first and
 * given time to finish starting, overlapping the caller's settle time.
 */
async function rssWindow(docentPid: number, settleMs: number): Promise<Record<keyof Rss, Spread>> {
  const lifeMs = settleMs + RSS_SAMPLES * RSS_GAP_MS + 1000;
  const bare = spawn(process.execPath, ['-e', `setTimeout(() => {}, ${lifeMs})`], { stdio: 'ignore' });
  try {
    await sleep(settleMs);
    const samples: Rss[] = [];
    for (let i = 0; i < RSS_SAMPLES; i++) {
      if (i) await sleep(RSS_GAP_MS);
      samples.push(sampleRss(docentPid, bare.pid!));
    }
    if (samples.some((s) => s.bare === 0 || s.chroma === 0)) throw new Error('a process to sample was gone (bare Node or Chroma)');
    const of = (k: keyof Rss) => spread(samples.map((s) => s[k]));
    return { docent: of('docent'), chroma: of('chroma'), sum: of('sum'), bare: of('bare') };
  } finally {
    bare.kill();
  }
}

async function untilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await fetch(url).catch(() => undefined))?.status === 200) return;
    await sleep(20);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

async function start(slack: FakeSlack): Promise<{ child: ChildProcess; ms: number; port: number }> {
  const port = await findFreePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, 'start'], {
    cwd: repo, stdio: 'ignore',
    env: env({
      SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: slack.apiUrl, SLACK_STREAMING: 'update', HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1',
      // The answers come through the web chat API (see the answers phase): its per-client limit sized for the load,
      // each question from its own client address behind one proxy hop.
      WEB_CHAT: 'on', WEB_CHAT_RATE_PER_MINUTE: '10000', WEB_CHAT_RATE_BURST: '1000', WEB_CHAT_TRUST_PROXY_HOPS: '1',
    }),
  });
  try {
    await untilReady(`http://127.0.0.1:${port}/readyz`, 60_000);
  } catch (err) {
    child.kill('SIGKILL'); // never ready: do not leave it (and its Chroma) running
    throw err;
  }
  return { child, ms: performance.now() - t0, port };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const slack = await startFakeSlack({ botToken: 'xoxb-test', appToken: 'xapp-test' });
let live: ChildProcess | undefined;
let livePort = 0;
try {
  phase('indexing the sample catalog');
  await run(process.execPath, [bin, 'index'], { cwd: repo, env: env({}) });

  // Cold starts, each beside a bare Node start and a bare Chroma start taken just before it, so the three
  // series see the same moments of the machine's load.
  phase(`${STARTS} cold starts`);
  const coldMs: number[] = [];
  const bareMs: number[] = [];
  const chromaMs: number[] = [];
  const chromaLogger = createLogger({ level: 'silent', pretty: 'never' });
  for (let i = 0; i < STARTS; i++) {
    bareMs.push(bareNodeStartMs());
    // Docent is stopped here, so this Chroma has the index's directory to itself, as Docent's will.
    const chroma = await startChromaServer({ dataDir: indexPaths(dataDir).root, logger: chromaLogger });
    chromaMs.push(chroma.startup.ms);
    await chroma.stop();
    const s = await start(slack);
    coldMs.push(s.ms);
    // The last start stays up for the memory figures: one start fewer to wait for.
    if (i < STARTS - 1) await stop(s.child);
    else {
      live = s.child;
      livePort = s.port;
    }
  }

  phase('idle RSS');
  const pid = live!.pid!;
  const idle = await rssWindow(pid, SETTLE_MS);

  phase(`${ANSWERS} answers`);
  const questions = ['where should I install a temperature logger?', 'how do I cite your data?', 'which datasets cover snow?', 'what does the QA flag P mean?'];
  let answered = 0;
  let peak = idle.sum.max;
  // Through the web chat API, not Slack: Slack's tiers pace one workspace at ~50 chat.update calls a minute, which
  // Docent's budget keeps to (the Slack part measures that), so a thousand answers there would take twenty
  // minutes. Memory after many answers is the same pipeline whichever surface asks; Slack stays connected.
  const ask = async (i: number) => {
    // Distinct clients, so the per-user limit does not throttle the load; a distinct text, so no cache hit.
    const res = await fetch(`http://127.0.0.1:${livePort}/api/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.1.${i >> 8}.${i & 255}` },
      body: JSON.stringify({ question: `${questions[i % questions.length]} (${i})` }),
      signal: AbortSignal.timeout(60_000),
    });
    if (res.status !== 200) throw new Error(`answer ${i}: HTTP ${res.status} ${await res.text()}`);
    const events = await readSse(res);
    if (!events.some((e) => e['type'] === 'finish')) throw new Error(`answer ${i}: no finish (${JSON.stringify(events.at(-1))})`);
    answered++;
    if (answered % 100 === 0) {
      const m = sampleRss(pid);
      peak = Math.max(peak, m.sum);
    }
  };
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < ANSWERS) await ask(next++);
  }));
  const answerSeconds = (performance.now() - t0) / 1000;
  phase('RSS after the answers');
  const after = await rssWindow(pid, SETTLE_MS);
  await stop(live!);
  live = undefined;
  phase('done');

  const cold = spread(coldMs);
  const bare = spread(bareMs);
  const chroma = spread(chromaMs);
  const seconds = (x: Spread) => show({ ...x, median: x.median / 1000, min: x.min / 1000, max: x.max / 1000 }, 's', 2);
  // One decimal: RSS samples a few hundred ms apart differ by tenths of a MB, and whole MB would hide the spread.
  const mb = (x: Spread) => show(x, 'MB', 1);
  console.log(
    `\nServing: \`docent start\` with Slack over Socket Mode (loopback fake), the status server and the web chat, the sample catalog already indexed${quick ? ' (quick mode)' : ''}. ` +
      `${STARTS} cold starts, each beside a bare Node start and a bare Chroma start taken just before it; RSS sampled ${RSS_SAMPLES} times ` +
      `${RSS_GAP_MS} ms apart, beside a bare Node process (\`node -e "setTimeout(…)"\`) sampled at the same moments. ` +
      'Each figure is the median (min–max).\n',
  );
  console.log('| measure | value | baseline (same run) | value ÷ baseline |');
  console.log('|---|---|---|---|');
  console.log(`| cold start: spawn → /readyz 200 (existing index), ${STARTS} starts | ${seconds(cold)} | bare Node start (\`node -e ""\`): ${seconds(bare)} | ${times(cold.median, bare.median, 0)} |`);
  console.log(`| embedded Chroma server alone (Docent's start waits for it): spawn → heartbeat, ${STARTS} starts | ${seconds(chroma)} | bare Node start | ${times(chroma.median, bare.median, 1)} |`);
  console.log('');
  console.log(`| RSS | Docent | Chroma | Docent + Chroma | bare Node process, same moments (baseline) | Docent ÷ bare Node |`);
  console.log('|---|---|---|---|---|---|');
  const rssRow = (label: string, r: Record<keyof Rss, Spread>) =>
    `| ${label} | ${mb(r.docent)} | ${mb(r.chroma)} | ${mb(r.sum)} | ${mb(r.bare)} | ${times(r.docent.median, r.bare.median)} |`;
  console.log(rssRow(`idle, ${SETTLE_MS / 1000} s after ready`, idle));
  console.log(rssRow(`after ${answered} answers through the web chat API (${IN_FLIGHT} in flight, ${(answered / answerSeconds).toFixed(0)} answers/s), ${SETTLE_MS / 1000} s after the last`, after));
  console.log(`\nPeak Docent + Chroma RSS sampled during the answers (every 100 answers): ${peak.toFixed(0)} MB.`);
} finally {
  if (live) await stop(live);
  await slack.close();
  rmSync(work, { recursive: true, force: true });
}
