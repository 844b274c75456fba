/**
 * The web chat API over a real runtime (the sample catalog, its own Chroma server, the no-download embedder,
 * extractive answers): POST /api/ask streams the answer as server-sent events ending in a cited `finish`, a client
 * that disconnects aborts its answer, feedback is recorded, and the per-IP rate limit, the token, CORS and input
 * validation answer with the right status.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocentServices } from '../../commands/services.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { AnswerPart } from '../../src/core/answer/types.js';
import { openRuntime, type DocentRuntime } from '../../src/runtime/docent-runtime.js';
import { clientAddress, createChatApi, type ChatApiOptions } from '../../src/server/chat-api.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/http-server.js';
import { createMetrics, instrumentServices } from '../../src/server/metrics.js';
import { readinessCheck } from '../../src/server/readiness.js';
import { readSse } from '../helpers/sse.js';
import { readinessProbes } from '../../src/runtime/readiness-probes.js';

const repo = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-chat-api-'));
const docs = path.join(work, 'docs');
const logger = pino({ level: 'silent' });
const QUESTION = 'where should I install a temperature logger in a stream?';
let rt: DocentRuntime;
let services: DocentServices;
let server: RunningHttpServer;
const servers: RunningHttpServer[] = [];

async function serve(api: Partial<ChatApiOptions> = {}): Promise<RunningHttpServer> {
  const metrics = createMetrics();
  const s = await startHttpServer({
    port: 0, host: '127.0.0.1', services, ready: readinessCheck(readinessProbes(rt)), metrics, logger,
    extraHandler: createChatApi({ services, logger, rate: { perMinute: 600, burst: 50 }, ...api }),
  });
  servers.push(s);
  return s;
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body), ...(signal ? { signal } : {}) });

beforeAll(async () => {
  cpSync(path.join(repo, 'data/sample'), docs, { recursive: true });
  const config = loadConfig({ env: { EMBEDDER: 'word-vectors' }, overrides: { dataDir: path.join(work, 'data'), sources: [docs] } });
  rt = await openRuntime(config, logger, { indexIfEmpty: true });
  services = instrumentServices(rt.services, createMetrics());
  server = await serve();
}, 120_000);
afterAll(async () => {
  for (const s of servers) await s.close();
  await rt?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('POST /api/ask', () => {
  let answerId = '';

  it('streams answer id, sources, text and a cited finish, in that order', async () => {
    const res = await post(`${server.url}/api/ask`, { question: QUESTION, history: [] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const events = await readSse(res);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('answer');
    expect(types[1]).toBe('sources');
    expect(types.at(-1)).toBe('finish');
    expect(types.slice(2, -1).every((t) => t === 'text-delta')).toBe(true);
    expect(types.filter((t) => t === 'text-delta').length).toBeGreaterThan(0);
    answerId = events[0]!.answerId as string;
    expect(answerId).toMatch(/^[0-9a-f-]{36}$/);
    const finish = events.at(-1) as Extract<AnswerPart, { type: 'finish' }>;
    expect(finish.info.citations.length).toBeGreaterThan(0);
    expect(JSON.stringify(finish.info.citations)).toMatch(/Field Manual/);
    const text = events.filter((e) => e.type === 'text-delta').map((e) => e.text).join('');
    expect(text).toBe(finish.info.text);
  });

  it('takes a conversation history for follow-ups', async () => {
    const res = await post(`${server.url}/api/ask`, { question: 'and how deep?', history: [{ role: 'user', content: QUESTION }, { role: 'assistant', content: 'In a shaded riffle [1].' }] });
    const events = await readSse(res);
    expect(events.at(-1)!.type).toBe('finish');
  });

  it('records feedback for the streamed answer id', async () => {
    const before = (await services.status()).feedback.up;
    const res = await post(`${server.url}/api/feedback`, { answerId, vote: 'up' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ ok: true });
    expect((await services.status()).feedback.up).toBe(before + 1);
  });

  it('rejects bad input with 400 naming the field, a wrong type with 415, a big body with 413', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'question'],
      [{ question: '   ' }, 'question'],
      [{ question: 'x'.repeat(2_001) }, 'question'],
      [{ question: 'q', history: 'no' }, 'history'],
      [{ question: 'q', history: [{ role: 'system', content: 'x' }] }, 'history[0].role'],
      [{ question: 'q', history: [{ role: 'user', content: 'ok' }, { role: 'user', content: 3 }] }, 'history[1].content'],
      ['[1, 2]', 'body'],
      ['{not json', 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await post(`${server.url}/api/ask`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_request', field } });
    }
    const fb = await post(`${server.url}/api/feedback`, { answerId: 'nope', vote: 'up' });
    expect((await fb.json()).error.field).toBe('answerId');
    const vote = await post(`${server.url}/api/feedback`, { answerId: '00000000-0000-4000-8000-000000000000', vote: 'meh' });
    expect((await vote.json()).error.field).toBe('vote');
    const text = await fetch(`${server.url}/api/ask`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"question":"q"}' });
    expect(text.status).toBe(415);
    const big = await post(`${server.url}/api/ask`, { question: 'q', pad: 'x'.repeat(64 * 1024) });
    expect(big.status).toBe(413);
    expect((await fetch(`${server.url}/api/ask`)).status).toBe(405);
    expect((await post(`${server.url}/api/nope`, {})).status).toBe(404);
  });

  it('a client that disconnects mid-answer aborts it: the answer is not finished nor recorded', async () => {
    let seen: AbortSignal | undefined;
    let passed = 0;
    // The real services, with each part after the first held back 400 ms (a slow model).
    const slow: DocentServices = {
      ...services,
      ask(q, o) {
        seen = o?.signal;
        const a = services.ask(q, o);
        return {
          answerId: a.answerId,
          parts: (async function* () {
            for await (const p of a.parts) {
              if (passed++ > 0) await new Promise((r) => setTimeout(r, 400));
              yield p;
            }
          })(),
        };
      },
    };
    const s = await serve({ services: slow });
    const answersBefore = (await services.status()).answers;
    const client = new AbortController();
    const res = await post(`${s.url}/api/ask`, { question: 'how do I calibrate the logger?' }, {}, client.signal);
    const events = await readSse(res, (e) => e.type === 'sources');
    client.abort();
    expect(events.map((e) => e.type)).toEqual(['answer', 'sources']);
    await expect.poll(() => seen?.aborted, { timeout: 5_000 }).toBe(true);
    // Long enough for the held-back parts to have finished had the answer gone on.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(passed).toBeLessThan(4);
    expect((await services.status()).answers).toBe(answersBefore);
  }, 20_000);
});

describe('limits and access', () => {
  it('rate-limits per client IP with 429 and Retry-After', async () => {
    const s = await serve({ rate: { perMinute: 1, burst: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(`${s.url}/api/ask`, {}, { 'x-forwarded-for': `10.0.0.${i}` })).status);
    // Not behind a trusted proxy: X-Forwarded-For does not pick a fresh bucket.
    expect(statuses).toEqual([400, 400, 429]);
    const limited = await post(`${s.url}/api/ask`, { question: QUESTION });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
  });

  it('behind a trusted proxy the client is the address the proxy appended', () => {
    const req = (xff: string | undefined) => ({ headers: xff === undefined ? {} : { 'x-forwarded-for': xff }, socket: { remoteAddress: '10.9.9.9' } }) as never;
    expect(clientAddress(req('1.1.1.1, 2.2.2.2'), 0)).toBe('10.9.9.9');
    expect(clientAddress(req('spoofed, 2.2.2.2'), 1)).toBe('2.2.2.2');
    expect(clientAddress(req('1.1.1.1, 2.2.2.2'), 2)).toBe('1.1.1.1');
    expect(clientAddress(req(undefined), 1)).toBe('10.9.9.9');
  });

  it('needs the bearer token when WEB_CHAT_TOKEN is set', async () => {
    const token = 'web-chat-token-0123456789';
    const s = await serve({ token });
    const none = await post(`${s.url}/api/ask`, { question: QUESTION });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="docent"');
    expect((await post(`${s.url}/api/feedback`, { answerId: '00000000-0000-4000-8000-000000000000', vote: 'up' }, { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    const ok = await post(`${s.url}/api/ask`, { question: QUESTION }, { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect((await readSse(ok)).at(-1)!.type).toBe('finish');
  });

  it('sends CORS headers only for the configured origin', async () => {
    const s = await serve({ corsOrigin: 'https://docs.example.org' });
    const pre = await fetch(`${s.url}/api/ask`, { method: 'OPTIONS', headers: { origin: 'https://docs.example.org', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://docs.example.org');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const res = await post(`${s.url}/api/ask`, {});
    expect(res.headers.get('access-control-allow-origin')).toBe('https://docs.example.org');
    expect((await fetch(`${server.url}/api/ask`, { method: 'OPTIONS' })).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the status page at /status; with only the API mounted (no page), / redirects there', async () => {
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/status');
    const page = await fetch(`${server.url}/status`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/);
  });
});
