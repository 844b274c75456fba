/**
 * Secrets never leave the process: with fake tokens in the config, a real runtime + the operations HTTP
 * server answer questions (one forced LLM failure whose error body echoes the HF token), and every byte of
 * pino output at level trace, every answer shown to users, the activity log, `/`, `/metrics`, `/readyz`,
 * `/healthz` and the status command's Markdown is searched for each secret. ConfigError messages raised next
 * to secrets do not echo them either.
 *
 * Each case records what it observed (`observe`, before asserting) for the generated report; cases.ts lists them.
 */
import { observe } from './observe.js';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusCommand } from '../../commands/status.js';
import { politeError } from '../../src/adapters/shared/polite-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { AnswerPart } from '../../src/core/answer/types.js';
import { ConfigError } from '../../src/core/errors.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { openRuntime, type OpenedRuntime } from '../../src/runtime/docent-runtime.js';
import { createMetrics, instrumentServices, readinessCheck, startHttpServer, type RunningHttpServer } from '../../src/server/index.js';
import type { DocentServices } from '../../commands/services.js';
import { script } from '../fakes/chat-script.js';
import { startFakeHfServer, type FakeHfServer } from '../fakes/fake-hf-server.js';

const repo = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-secrets-'));
const docs = path.join(work, 'docs');
const dataDir = path.join(work, 'data');

const SECRETS: Record<string, string> = {
  HF_TOKEN: 'hf_SECRETsecret123456',
  DISCORD_TOKEN: 'discord.SECRET.token',
  SLACK_BOT_TOKEN: 'xoxb-SECRET-1',
  SLACK_SIGNING_SECRET: 'shhh-SECRET',
  OPENAI_API_KEY: 'sk-SECRET',
  STATUS_TOKEN: 'status-SECRET-token-0123456789',
};
const QUESTION = 'where should I install a temperature logger in a stream?';

let hf: FakeHfServer;
let rt: OpenedRuntime;
let logger: Logger;
let services: DocentServices;
let server: RunningHttpServer;
const logChunks: string[] = [];
/** Everything a user or operator could see, by where it came from. */
const seen: Array<{ where: string; text: string }> = [];

const report = (c: string, observed: string): void => observe(`secrets/${c}`, observed);

/** Secret names found in `text` (empty when clean). */
function leaks(text: string): string[] {
  return Object.entries(SECRETS).filter(([, v]) => text.includes(v)).map(([k]) => k);
}

async function askAll(text: string): Promise<AnswerPart[]> {
  const parts: AnswerPart[] = [];
  const drain = (async () => {
    for await (const p of services.ask({ text, history: [] }).parts) parts.push(p);
  })();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([drain, new Promise((_, rej) => (timer = setTimeout(() => rej(new Error('answer timed out')), 20_000)))]);
  clearTimeout(timer);
  return parts;
}

/** Every file under a folder, as text (skipping the Chroma and model binaries). */
function readTree(dir: string, skip: (p: string) => boolean): Array<{ where: string; text: string }> {
  const out: Array<{ where: string; text: string }> = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (skip(p)) continue;
    if (statSync(p).isDirectory()) out.push(...readTree(p, skip));
    else out.push({ where: path.relative(work, p), text: readFileSync(p, 'latin1') });
  }
  return out;
}

beforeAll(async () => {
  hf = await startFakeHfServer();
  cpSync(path.join(repo, 'data/sample'), docs, { recursive: true });
  const config = loadConfig({
    env: {
      ...SECRETS, EMBEDDER: 'word-vectors', LLM_CHAIN: 'hf,extractive', HF_ENDPOINT_URL: hf.url, HF_CHAT_MODEL: 'test/model',
      ANSWER_CACHE_TTL_SECONDS: '0', LLM_FIRST_TOKEN_TIMEOUT_MS: '1500', LLM_TOTAL_TIMEOUT_MS: '4000',
    },
    overrides: { dataDir, sources: [docs], 'answer.retries': 0 },
  });
  expect(config.hf.token).toBe(SECRETS.HF_TOKEN);
  const sink = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      logChunks.push(chunk.toString());
      cb();
    },
  });
  logger = createLogger({ level: 'trace', pretty: 'never', destination: sink });
  // What a start-up dump or a careless debug line would log: the whole config, at two depths.
  logger.info({ config }, 'configuration loaded');
  logger.debug(config, 'configuration (flat)');
  rt = await openRuntime(config, logger, { indexIfEmpty: true });
  const metrics = createMetrics({ defaultMetrics: false });
  services = instrumentServices(rt.services, metrics);
  server = await startHttpServer({ port: 0, host: '127.0.0.1', token: config.server.token, services, ready: readinessCheck(rt.probes), metrics, logger });
});
afterAll(async () => {
  await server?.close();
  await rt?.close();
  await hf?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('secrets', () => {
  it('the chat request really carries the HF token (so the check below is meaningful)', async () => {
    hf.chat.enqueue(script({ tokens: ['Put it in the main current [1].'] }));
    const parts = await askAll(QUESTION);
    const received = hf.chat.requests.at(-1)?.authorization;
    report('token-in-use', `${parts.at(-1)?.type}; Authorization ${received === `Bearer ${SECRETS.HF_TOKEN}` ? 'Bearer <HF_TOKEN>' : received === undefined ? 'absent' : 'something else'} received`);
    expect(parts.at(-1)!.type).toBe('finish');
    expect(received).toBe(`Bearer ${SECRETS.HF_TOKEN}`);
    seen.push({ where: 'answer (hf ok)', text: JSON.stringify(parts) });
  });

  it('an LLM error whose body echoes the token does not reach the answer, the error part or the log', async () => {
    const echo = (status: number) => ({ error: { message: `Invalid credentials in Authorization header: Bearer ${SECRETS.HF_TOKEN}`, type: 'invalid_request_error', status } });
    hf.chat.enqueue(script({ tokens: [], status: 401, errorBody: echo(401) }));
    const a = await askAll(QUESTION);
    hf.chat.enqueue(script({ tokens: [], status: 500, errorBody: echo(500) }));
    const b = await askAll(`${QUESTION} (again)`);
    const shown = JSON.stringify([a, b]);
    report('llm-error-echoes-token', `ends: ${[a, b].map((p) => p.at(-1)?.type).join(',')}; note ${/hf:test\/model was unavailable \([^)]*401/.test(shown) ? 'present' : 'MISSING'}; leaks: ${leaks(shown).join(',') || 'none'}`);
    for (const parts of [a, b]) {
      const last = parts.at(-1)!;
      expect(last.type).toBe('finish');
      if (last.type === 'finish') expect(last.info.backend).toBe('extractive');
      seen.push({ where: 'answer (hf error echoing token)', text: JSON.stringify(parts) });
      for (const p of parts) if (p.type === 'error') seen.push({ where: 'polite error', text: politeError(p.error) });
    }
    expect(leaks(shown)).toEqual([]);
    // The failure is still explained: the note names the backend and the status.
    expect(shown).toMatch(/hf:test\/model was unavailable \([^)]*401/);
  });

  it('no secret appears in logs, HTTP pages, metrics, readiness, status Markdown or the data dir', async () => {
    const get = async (p: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${server.url}${p}`, { headers });
      return { where: `GET ${p} (${res.status}${headers.authorization ? ', with the status token' : ''})`, text: `${JSON.stringify([...res.headers])}\n${await res.text()}` };
    };
    // Both what anyone sees and what the token holder sees.
    for (const p of ['/', '/metrics', '/readyz', '/healthz']) seen.push(await get(p), await get(p, { authorization: `Bearer ${SECRETS.STATUS_TOKEN}` }));
    const status = await statusCommand.run({ args: {}, invoker: { platform: 'console', userId: 'console', roleIds: [] }, services });
    expect(status.type).toBe('text');
    seen.push({ where: 'status command', text: status.type === 'text' ? status.markdown : '' });
    seen.push({ where: 'services.status()', text: JSON.stringify(await services.status()) });
    await new Promise((r) => setTimeout(r, 100)); // let pino flush
    const log = logChunks.join('');
    expect(log.length).toBeGreaterThan(1000);
    expect(log).toContain('answer backend failed'); // the forced failure was logged
    seen.push({ where: 'pino log (trace)', text: log });
    seen.push(...readTree(dataDir, (p) => /[/\\](chroma|models)$/.test(p)));

    const found = seen.flatMap((s) => leaks(s.text).map((k) => `${k} in ${s.where}`));
    report('no-secret-anywhere', `${Object.keys(SECRETS).length} secrets searched in ${seen.length} outputs; leaks: ${found.join('; ') || 'none'}`);
    expect(found).toEqual([]);
  });

  it('ConfigError messages next to secrets do not echo them', () => {
    const bad: Array<[string, Record<string, string>]> = [
      ['bad-number', { LLM_FIRST_TOKEN_TIMEOUT_MS: 'soon' }],
      ['bad-enum', { SLACK_MODE: 'carrier-pigeon' }],
      ['bad-json', { CHANNEL_SOURCES: '{not json' }],
      ['bad-chain', { LLM_CHAIN: 'hf,skynet' }],
      ['bad-cron', { REINDEX_SCHEDULE: 'every tuesday' }],
    ];
    const observed: string[] = [];
    for (const [name, env] of bad) {
      let err: unknown;
      try {
        loadConfig({ env: { ...SECRETS, ...env }, overrides: { dataDir, sources: [docs] } });
      } catch (e) {
        err = e;
      }
      const e = err as ConfigError | undefined;
      const text = `${e?.message}\n${e?.hint ?? ''}\n${e?.stack ?? ''}`;
      observed.push(`${name}:${!(err instanceof ConfigError) ? 'NO CONFIG ERROR' : leaks(text).length === 0 ? 'clean' : 'LEAK'}`);
    }
    report('config-error-no-echo', observed.join(' '));
    expect(observed.every((o) => o.endsWith(':clean')), observed.join(' ')).toBe(true);
  });
});
