/**
 * The container entrypoint (docker/entrypoint.sh), run directly with sh — there is no Docker engine here — in a
 * Space-like environment: SPACE_ID set, no persistent storage, Slack tokens against the loopback fake Slack.
 * It picks the data dir, selects the hf-space profile, links the models baked into the image and `exec`s
 * Docent, which serves Slack, answers, and on SIGTERM shuts down gracefully: exit 0 well within 10 s.
 *
 * APP_ROOT is a temporary folder laid out like the image's /app (links to this checkout's bin, dist, config,
 * data and node_modules, and seed/models → the shared word-vector cache), so the image's model seed is
 * exercised too.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/stores/chroma-supervisor.js';
import { startFakeSlack } from '../fakes/fake-slack/index.js';
import { sharedWordVectorCacheDir } from '../helpers/word-vector-cache.js';
import { askBySlack, childPids, isAlive, jsonLines, processName, rssKb, spawnDocent } from './docent-process.js';

const repo = path.resolve(import.meta.dirname, '../..');
const entrypoint = path.join(repo, 'docker/entrypoint.sh');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-entrypoint-'));
const appRoot = path.join(work, 'app');

beforeAll(() => {
  mkdirSync(path.join(appRoot, 'seed'), { recursive: true });
  for (const f of ['bin', 'dist', 'config', 'data', 'node_modules', 'package.json']) symlinkSync(path.join(repo, f), path.join(appRoot, f));
  mkdirSync(sharedWordVectorCacheDir, { recursive: true });
  symlinkSync(sharedWordVectorCacheDir, path.join(appRoot, 'seed/models'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const base = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '', APP_ROOT: appRoot, ...extra });

describe('docker/entrypoint.sh', () => {
  it('on a Space without persistent storage: $HOME/.docent, hf-space profile, serves Slack, exits 0 on SIGTERM', async () => {
    const home = path.join(work, 'home');
    mkdirSync(home);
    const slack = await startFakeSlack({ botToken: 'xoxb-test', appToken: 'xapp-test' });
    const httpPort = await findFreePort();
    const docent = spawnDocent('sh', [entrypoint, 'start'], base({
      HOME: home, SPACE_ID: 'user/docent', PERSISTENT_ROOT: path.join(work, 'no-storage'), HTTP_PORT: String(httpPort), HTTP_HOST: '127.0.0.1',
      SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: slack.apiUrl, EMBEDDER: 'word-vectors',
    }), work);
    const pid = docent.child.pid!;
    try {
      // Ready when /readyz says so (index loaded, Chroma reachable).
      const http = `http://127.0.0.1:${httpPort}`;
      await untilReady(`${http}/readyz`, 90_000);
      await slack.waitFor(() => docent.log.includes('Docent is running'), { timeoutMs: 10_000, what: 'docent start to be running' });
      const dataDir = path.join(home, '.docent');
      // exec: the shell became node (same pid), so signals reach Docent directly.
      expect(processName(pid)).toBe('node');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(environ).toContain('DOCENT_PROFILE=hf-space');
      expect(environ).toContain(`DATA_DIR=${dataDir}`);
      // The entrypoint said why the index lives on an ephemeral disk; every log line is JSON (log.pretty never).
      const lines = jsonLines(docent.log);
      expect(lines.find((l) => l.component === 'entrypoint' && l.level === 40)?.msg).toMatch(/rebuilt at every boot/);
      expect(lines.find((l) => String(l.msg).startsWith('Docent is running'))).toMatchObject({ platforms: ['Slack', 'web chat'] }); // the Space profile serves the web chat API too
      expect(docent.log.split('\n').filter((l) => l.trim() && !l.startsWith('{'))).toEqual([]);
      // State went to $HOME/.docent, with the image's models linked in rather than downloaded or copied.
      expect(existsSync(path.join(dataDir, 'index'))).toBe(true);
      expect(lstatSync(path.join(dataDir, 'models')).isSymbolicLink()).toBe(true);
      expect(readlinkSync(path.join(dataDir, 'models'))).toBe(path.join(appRoot, 'seed/models'));

      const answer = await askBySlack(slack, 'where should I install a temperature logger in a stream?');
      expect(answer).toMatch(/Field Manual/);
      // The answer is counted in /metrics (Prometheus text) and shown on the status page.
      const metricsText = await (await fetch(`${http}/metrics`)).text();
      expect(metricsText).toMatch(/^docent_answers_total\{backend="extractive",outcome="answered"\} 1$/m);
      expect(metricsText).toMatch(/^docent_answer_stage_seconds_count\{stage="total"\} 1$/m);
      // The Space serves the web chat at / and the status page at /status.
      const page = await (await fetch(`${http}/status`)).text();
      expect(page).toMatch(/<html/i);
      expect(page).toContain('17');
      expect(await (await fetch(`${http}/`)).text()).toContain('<html');
      expect(page).not.toContain('xoxb-test');

      // Memory at idle: Docent plus its embedded Chroma server (children of the Docent process).
      await new Promise((r) => setTimeout(r, 2000));
      const chroma = childPids(pid);
      expect(chroma.length).toBeGreaterThan(0);
      const docentKb = rssKb(pid) ?? 0;
      const chromaKb = chroma.reduce((sum, p) => sum + (rssKb(p) ?? 0), 0);
      console.log(`idle RSS after one answer: docent ${Math.round(docentKb / 1024)} MB + chroma ${Math.round(chromaKb / 1024)} MB = ${Math.round((docentKb + chromaKb) / 1024)} MB`);

      const t0 = Date.now();
      process.kill(pid, 'SIGTERM');
      const { code, signal } = await docent.exited;
      const ms = Date.now() - t0;
      console.log(`SIGTERM → exit ${code} in ${ms} ms`);
      expect({ code, signal }, docent.log.slice(-2000)).toEqual({ code: 0, signal: null });
      expect(ms).toBeLessThan(10_000);
      // Every child (Chroma, and any helper process such as a bundler service) is gone, not left a zombie.
      const left = chroma.filter(isAlive);
      expect(left, left.map((p) => { try { return `${p}: ${readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ')} ${readFileSync(`/proc/${p}/stat`, 'utf8').split(' ')[2]}`; } catch { return `${p}: gone`; } }).join("\n") + docent.log.slice(-4000)).toEqual([]);
      expect(jsonLines(docent.log).some((l) => l.msg === 'stopped' && l.clean === true)).toBe(true);
    } finally {
      if (docent.child.exitCode === null && docent.child.signalCode === null) docent.child.kill('SIGKILL');
      await slack.close();
    }
  }, 150_000);

  it('uses persistent storage when it is mounted, and an explicit DATA_DIR or DOCENT_PROFILE wins', async () => {
    const storage = path.join(work, 'storage');
    mkdirSync(storage);
    const run = async (extra: NodeJS.ProcessEnv) => {
      const p = spawnDocent('sh', [entrypoint, '--help'], base({ HOME: path.join(work, 'home2'), PERSISTENT_ROOT: storage, ...extra }), work);
      const { code } = await p.exited;
      expect(code, p.log).toBe(0);
      return jsonLines(p.log).filter((l) => l.component === 'entrypoint').map((l) => String(l.msg));
    };
    expect(await run({ SPACE_ID: 'user/docent' })).toEqual([`data dir ${storage}/docent (persistent storage)`, 'Hugging Face Space user/docent: profile hf-space']);
    expect(existsSync(path.join(storage, 'docent/models'))).toBe(true);
    const own = path.join(work, 'own');
    expect(await run({ SPACE_ID: 'user/docent', DATA_DIR: own, DOCENT_PROFILE: '' })).toEqual([`data dir ${own} (DATA_DIR)`]);
    // Not a Space: no profile.
    expect(await run({})).toEqual([`data dir ${storage}/docent (persistent storage)`]);
  });
});

/** Polls a readiness URL until it answers 200 (the fakes' waitFor takes synchronous probes only). */
async function untilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await fetch(url).catch(() => undefined))?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not turn ready within ${timeoutMs} ms`);
}
