/**
 * Scale-out as deployed: one Chroma server, one shared data dir (a shared volume), indexed once by
 * `docent index`, and two `docent start` processes serving (each its own fake Slack workspace) with CHROMA_URL
 * pointing at that server. Both answer the same question from the same index version with the same sources,
 * and neither starts a Chroma of its own.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startChromaServer } from '../../src/stores/chroma-supervisor.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack/index.js';
import { sharedWordVectorCacheDir } from '../helpers/word-vector-cache.js';
import { askBySlack, childPids, jsonLines, rssKb, spawnDocent, type DocentProcess } from './docent-process.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/docent.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-scale-out-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('two Docent processes sharing one Chroma server and one data dir', () => {
  it('both serve, from the same index version, with the same citations', async () => {
    const chroma = await startChromaServer({ dataDir: path.join(work, 'chroma-host'), logger: pino({ level: 'silent' }) });
    const shared = path.join(work, 'shared');
    mkdirSync(shared);
    mkdirSync(sharedWordVectorCacheDir, { recursive: true });
    symlinkSync(sharedWordVectorCacheDir, path.join(shared, 'models'));
    const env = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH ?? '', HOME: work, DATA_DIR: shared, CHROMA_URL: chroma.url, EMBEDDER: 'word-vectors', LOG_PRETTY: 'never', ...extra,
    });
    const slacks: FakeSlack[] = [];
    const replicas: DocentProcess[] = [];
    try {
      const index = spawnDocent(process.execPath, [bin, 'index'], env({}), repo);
      expect((await index.exited).code, index.log).toBe(0);

      for (let i = 0; i < 2; i++) {
        // Two workspaces, two team ids: their channel ids and message ts may coincide (both fakes' clocks), and the
        // replicas' shared Slack claims (message-handler.ts firstReplica) must not take one for the other's.
        const slack = await startFakeSlack({ botToken: 'xoxb-test', appToken: 'xapp-test', teamId: `T0FAKE00${i + 1}` });
        slacks.push(slack);
        replicas.push(spawnDocent(process.execPath, [bin, 'start'], env({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: slack.apiUrl, HTTP_PORT: '0' }), repo));
      }
      await Promise.all(replicas.map((r, i) => slacks[i]!.waitFor(() => r.log.includes('Docent is running'), { timeoutMs: 90_000, what: `replica ${i} to be running` })));
      // Neither replica indexed again nor started an embedded Chroma.
      for (const r of replicas) {
        expect(jsonLines(r.log).some((l) => l.msg === 'indexed')).toBe(false);
        expect(childPids(r.child.pid!)).toEqual([]);
      }
      expect(existsSync(path.join(shared, 'chroma'))).toBe(false);

      const question = 'where should I install a temperature logger in a stream?';
      const answers = await Promise.all(slacks.map((s) => askBySlack(s, question)));
      expect(answers[0]).toMatch(/Field Manual/);
      const sources = answers.map((a) => [...a.matchAll(/data\/sample\/[\w./-]+/g)].map((m) => m[0]).sort());
      expect(sources[0]!.length).toBeGreaterThan(0);
      expect(sources[1]).toEqual(sources[0]);

      const versions = await Promise.all(slacks.map(async (s) => {
        s.sendSlashCommand({ text: 'status' });
        const m = await s.waitFor(() => /Index: version (\d+)/.exec(JSON.stringify(s.state.allOutgoing())), { timeoutMs: 15_000, what: 'the status reply' });
        return Number(m[1]);
      }));
      expect(versions).toEqual([1, 1]);

      await new Promise((r) => setTimeout(r, 1000));
      const kb = replicas.map((r) => rssKb(r.child.pid) ?? 0);
      console.log(`idle RSS: replicas ${kb.map((k) => `${Math.round(k / 1024)} MB`).join(' + ')}, shared Chroma ${Math.round((rssKb(chroma.pid) ?? 0) / 1024)} MB`);

      for (const r of replicas) r.child.kill('SIGTERM');
      const exits = await Promise.all(replicas.map((r) => r.exited));
      expect(exits.map((e) => e.code)).toEqual([0, 0]);
    } finally {
      for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
      await Promise.all(slacks.map((s) => s.close()));
      await chroma.stop();
    }
  }, 240_000);
});
