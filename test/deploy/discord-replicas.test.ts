/**
 * Two `docent start` processes with one Discord bot token and one Chroma server (the scale-out set-up): every
 * gateway session of a token receives every event, so only the replica holding the gateway lease
 * (src/runtime/leased-platform.ts) may identify. The fake Discord must see exactly one IDENTIFY, an `/ask`
 * answered once; when the holder dies (SIGKILL: no release), the standby identifies within about two lease
 * periods and answers.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startChromaServer } from '../../src/stores/chroma-supervisor.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/fake-discord/index.js';
import { sharedWordVectorCacheDir } from '../helpers/word-vector-cache.js';
import { jsonLines, spawnDocent, type DocentProcess } from './docent-process.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/docent.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-discord-replicas-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LEASE_MS = 3000;

/** Sends /ask and waits for the finished answer on its reply; returns the interaction record. */
async function ask(discord: FakeDiscord, question: string) {
  const sent = discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: question }] });
  await discord.waitFor(() => discord.state.originalContent(sent.token)?.includes('**Sources**'), { timeoutMs: 30_000, what: `the answer to "${question}"` });
  return sent.record;
}

describe('two Docent processes with one Discord token and one Chroma server', () => {
  it('one gateway session at a time; the standby takes over when the holder dies', async () => {
    const chroma = await startChromaServer({ dataDir: path.join(work, 'chroma-host'), logger: pino({ level: 'silent' }) });
    const discord = await startFakeDiscord({ token: 'test-token' });
    const shared = path.join(work, 'shared');
    mkdirSync(shared);
    mkdirSync(sharedWordVectorCacheDir, { recursive: true });
    symlinkSync(sharedWordVectorCacheDir, path.join(shared, 'models'));
    const env = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH ?? '', HOME: work, DATA_DIR: shared, CHROMA_URL: chroma.url, EMBEDDER: 'word-vectors', LOG_PRETTY: 'never', ...extra,
    });
    const replicas: DocentProcess[] = [];
    try {
      const index = spawnDocent(process.execPath, [bin, 'index'], env({}), repo);
      expect((await index.exited).code, index.log).toBe(0);
      const serve = env({ DISCORD_TOKEN: 'test-token', DISCORD_API_URL: discord.restUrl, DISCORD_GATEWAY_LEASE_MS: String(LEASE_MS), HTTP_PORT: '0', LOG_LEVEL: 'debug' });
      for (let i = 0; i < 2; i++) replicas.push(spawnDocent(process.execPath, [bin, 'start'], serve, repo));
      await Promise.all(replicas.map((r, i) => discord.waitFor(() => r.log.includes('Docent is running'), { timeoutMs: 90_000, what: `replica ${i} to be running` })));
      // Several lease periods: the standby keeps looking and must not identify while the holder renews.
      await sleep(3 * LEASE_MS);
      expect(discord.state.gateway.identifies).toBe(1);
      const standing = replicas.filter((r) => jsonLines(r.log).some((l) => String(l.msg).includes('standing by')));
      expect(standing).toHaveLength(1);
      const holder = replicas.find((r) => !standing.includes(r))!;

      const first = await ask(discord, 'where should I install a temperature logger in a stream?');
      await sleep(500);
      expect(first.callbacks.map((c) => c.status)).toEqual([204]);

      holder.child.kill('SIGKILL');
      const killedAt = Date.now();
      await discord.waitFor(() => discord.state.gateway.identifies === 2 && discord.state.gateway.connected, { timeoutMs: 4 * LEASE_MS, what: 'the standby to identify' })
        .catch((err: unknown) => {
          const { exitCode, signalCode } = standing[0]!.child;
          throw new Error(`${(err as Error).message}; standby ${exitCode === null && signalCode === null ? 'still running' : `exited (${exitCode ?? signalCode})`}; its log:\n${standing[0]!.log.split('\n').slice(-25).join('\n')}`);
        });
      console.log(`standby identified ${Date.now() - killedAt} ms after the holder was killed (lease ${LEASE_MS} ms)`);
      const second = await ask(discord, 'where should I install a temperature logger in a stream?');
      expect(second.callbacks.map((c) => c.status)).toEqual([204]);
      expect(standing[0]!.log).toContain('took over the gateway lease');

      standing[0]!.child.kill('SIGTERM');
      expect((await standing[0]!.exited).code).toBe(0);
    } finally {
      for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
      await discord.close();
      await chroma.stop();
    }
  }, 240_000);
});
