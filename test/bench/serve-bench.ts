/**
 * `npm run bench`, serving part (issue 7): `docent start` as a Space runs it — Slack over Socket Mode (the
 * loopback fake), the status server, the sample catalog already indexed —
 *  1. cold start: process spawn → /readyz 200, median of 3;
 *  2. memory: RSS of Docent + its embedded Chroma at idle, and after 1000 answers (20 questions in flight).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack/index.js';
import { findFreePort } from '../../src/stores/chroma-supervisor.js';
import { repoRoot } from './repo-root.js';
import { median } from './stats.js';

const run = promisify(execFile);
const repo = repoRoot(import.meta.dirname);
const bin = path.join(repo, 'bin/docent.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-serve-bench-'));
const dataDir = path.join(work, 'data');
const env = (extra: Record<string, string>) => ({ PATH: process.env.PATH ?? '', HOME: work, LOG_LEVEL: 'warn', LOG_PRETTY: 'never', EMBEDDER: 'word-vectors', DATA_DIR: dataDir, ...extra });

const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const children = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const totalMb = (pid: number) => {
  const kids = children(pid);
  return { docent: rssKb(pid) / 1024, chroma: kids.reduce((s, p) => s + rssKb(p), 0) / 1024 };
};

async function untilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await fetch(url).catch(() => undefined))?.status === 200) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

async function start(slack: FakeSlack): Promise<{ child: ChildProcess; http: string; ms: number }> {
  const port = await findFreePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, 'start'], {
    cwd: repo, stdio: 'ignore',
    env: env({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: slack.apiUrl, SLACK_STREAMING: 'update', HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' }),
  });
  const http = `http://127.0.0.1:${port}`;
  await untilReady(`${http}/readyz`, 60_000);
  return { child, http, ms: performance.now() - t0 };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const slack = await startFakeSlack({ botToken: 'xoxb-test', appToken: 'xapp-test' });
try {
  await run(process.execPath, [bin, 'index'], { cwd: repo, env: env({}) });
  const quick = process.env.DOCENT_BENCH_QUICK === '1';
  const coldStarts: number[] = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    const s = await start(slack);
    coldStarts.push(s.ms);
    await stop(s.child);
  }
  const s = await start(slack);
  await new Promise((r) => setTimeout(r, 2000));
  const idle = totalMb(s.child.pid!);
  const questions = ['where should I install a temperature logger?', 'how do I cite your data?', 'which datasets cover snow?', 'what does the QA flag P mean?'];
  let answered = 0;
  let peak = idle.docent + idle.chroma;
  const total = quick ? 200 : 1000;
  const inFlight = 20;
  const ask = async (i: number) => {
    const sent = slack.sendEvent({ type: 'app_mention', user: `U${100000 + i}`, text: `<@${slack.ids.botUserId}> ${questions[i % questions.length]} (${i})` });
    await slack.waitFor(() => JSON.stringify(slack.state.botReplies(sent.channel!, sent.ts!).at(-1)?.blocks ?? []).includes('docent:fb:up:'), { timeoutMs: 60_000, what: `answer ${i}` });
    answered++;
    if (answered % 100 === 0) {
      const m = totalMb(s.child.pid!);
      peak = Math.max(peak, m.docent + m.chroma);
    }
  };
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < total) await ask(next++);
  }));
  await new Promise((r) => setTimeout(r, 2000));
  const after = totalMb(s.child.pid!);
  await stop(s.child);
  const f = (n: number) => n.toFixed(0);
  console.log('\nServing benchmark — `docent start` with Slack (fake, Socket Mode), status server, sample catalog indexed\n');
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| cold start → /readyz 200 (existing index), median of ${coldStarts.length} | ${(median(coldStarts) / 1000).toFixed(2)} s (${coldStarts.map((m) => (m / 1000).toFixed(2)).join(', ')}) |`);
  console.log(`| RSS at idle: Docent / Chroma / sum | ${f(idle.docent)} / ${f(idle.chroma)} / ${f(idle.docent + idle.chroma)} MB |`);
  console.log(`| RSS after ${answered} answers (${inFlight} in flight): Docent / Chroma / sum | ${f(after.docent)} / ${f(after.chroma)} / ${f(after.docent + after.chroma)} MB (peak sampled ${f(peak)} MB) |`);
} finally {
  await slack.close();
  rmSync(work, { recursive: true, force: true });
}
