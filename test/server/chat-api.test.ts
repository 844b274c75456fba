/**
 * The web chat API over a real runtime (the sample catalog, its own Chroma server, the no-download embedder,
 * extractive answers): POST /api/ask streams the answer as server-sent events ending in a cited `finish`, a client
 * that disconnects aborts its answer, feedback is recorded, and the per-IP rate limit, the token, CORS and input
 * validation answer with the right status.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocentServices } from '../../commands/services.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { AnswerPart } from '../../src/core/answer/types.js';
import { openRuntime, type OpenedRuntime } from '../../src/runtime/docent-runtime.js';
import { clientAddress, createChatApi, serialisePart, type ChatApiOptions } from '../../src/server/chat-api.js';
import { startHttpServer, type HttpServerOptions, type RunningHttpServer } from '../../src/server/http-server.js';
import { createMetrics, instrumentServices } from '../../src/server/metrics.js';
import { readinessCheck } from '../../src/server/readiness.js';
import { readSse } from '../helpers/sse.js';
import { ActivityLog } from '../../src/runtime/activity-log.js';

const repo = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-chat-api-'));
const docs = path.join(work, 'docs');
const logger = pino({ level: 'silent' });
const QUESTION = 'where should I install a temperature logger in a stream?';
let rt: OpenedRuntime;
let services: DocentServices;
let server: RunningHttpServer;
const servers: RunningHttpServer[] = [];

async function serve(api: Partial<ChatApiOptions> = {}, http: Partial<HttpServerOptions> = {}): Promise<RunningHttpServer> {
  const metrics = createMetrics();
  const s = await startHttpServer({
    port: 0, host: '127.0.0.1', services, ready: readinessCheck(rt.probes), metrics, logger,
    extraHandler: createChatApi({ services, logger, rate: { perMinute: 600, burst: 50 }, ...api }),
    ...http,
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

  it('sends file paths relative to their source root, never the server\'s absolute paths', async () => {
    for (const question of [QUESTION, 'is there snow depth data?', 'what does the field manual say about calibration?']) {
      const res = await post(`${server.url}/api/ask`, { question });
      const raw = await res.text();
      // Neither the folder the sources live in nor any other absolute path on this machine reaches the browser.
      expect(raw).not.toContain(docs);
      expect(raw).not.toContain(work);
      const events = raw.split('\n\n').filter((b) => b.startsWith('data: ')).map((b) => JSON.parse(b.slice(6)) as Record<string, unknown>);
      const sources = events.find((e) => e.type === 'sources') as Extract<AnswerPart, { type: 'sources' }>;
      const finish = events.find((e) => e.type === 'finish') as Extract<AnswerPart, { type: 'finish' }>;
      const shown = [...sources.passages, ...finish.info.citations];
      expect(shown.length).toBeGreaterThan(0);
      for (const p of shown) {
        expect(p.path, JSON.stringify(p)).not.toBeNull(); // every sample document is a file
        expect(path.isAbsolute(p.path!), p.path!).toBe(false);
        expect(p.path!.includes('\\')).toBe(false);
        // A file in a folder source: its id in the source; a catalog record: the catalog file's name.
        expect([p.sourceId, 'data.json']).toContain(p.path);
      }
    }
  }, 30_000);

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

  it('feedback for an answer id the activity log does not know is 404 with a JSON error, and not counted', async () => {
    // The activity log's own outcome (src/runtime/activity-log.ts) behind recordFeedback, as the server would get
    // it once DocentServices passes it on.
    const activity = await ActivityLog.open(path.join(work, 'feedback-404'), { retentionDays: 30, hashUsers: false, hashKey: '', logger });
    const known = '11111111-1111-4111-8111-111111111111';
    activity.announce(known, new Date().toISOString());
    const s = await serve({ services: { ...services, recordFeedback: (f) => activity.recordFeedback(f) } });
    const unknown = await post(`${s.url}/api/feedback`, { answerId: '00000000-0000-4000-8000-000000000000', vote: 'up' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_answer', field: 'answerId', message: expect.any(String) } });
    const ok = await post(`${s.url}/api/feedback`, { answerId: known, vote: 'down' });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ ok: true });
    expect(activity.counts().feedback).toEqual({ up: 0, down: 1 });
    await activity.close();
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

describe('slow clients', () => {
  /** Sends the headers of a POST /api/ask with a body of `length` bytes, then one byte every `everyMs`. */
  function trickle(port: number, everyMs: number): Promise<{ reply: string; afterMs: number }> {
    return new Promise((resolve, reject) => {
      const t0 = Date.now();
      const socket = net.connect(port, '127.0.0.1');
      let reply = '';
      let timer: NodeJS.Timeout | undefined;
      socket.on('connect', () => {
        socket.write(`POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
        timer = setInterval(() => socket.writable && socket.write(' '), everyMs);
      });
      socket.on('data', (d) => (reply += d.toString('latin1')));
      socket.on('error', () => undefined); // a reset after the 408 is fine: the reply was read
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ reply, afterMs: Date.now() - t0 });
      });
      setTimeout(() => reject(new Error('the trickled request was not cut off within 15 s')), 15_000).unref();
    });
  }

  it('a body trickled in is cut off with 408 after requestTimeout, well before Node\'s 300 s', async () => {
    const s = await serve({}, { requestTimeoutMs: 1_000, headersTimeoutMs: 500 });
    const { reply, afterMs } = await trickle(s.port, 100);
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeGreaterThanOrEqual(900);
    expect(afterMs).toBeLessThan(5_000);
  }, 20_000);

  it('the default request timeout is 30 s, not Node\'s 300 s', async () => {
    const s = await serve();
    const { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_HEADERS_TIMEOUT_MS } = await import('../../src/server/http-server.js');
    expect([DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_HEADERS_TIMEOUT_MS]).toEqual([30_000, 20_000]);
    // Not waiting 30 s here: the 1 s case above shows the mechanism; this server still answers normally.
    expect((await post(`${s.url}/api/ask`, {})).status).toBe(400);
  });

  it('a streamed answer longer than requestTimeout is not cut: the timeout covers receiving the request only', async () => {
    // Each of the first parts (sources, text, finish: at least three) held back 800 ms: the answer streams for
    // 2.4 s or more, the request timeout is 1 s.
    const slow: DocentServices = {
      ...services,
      ask(q, o) {
        const a = services.ask(q, o);
        return {
          answerId: a.answerId,
          parts: (async function* () {
            let i = 0;
            for await (const p of a.parts) {
              if (i++ < 6) await new Promise((r) => setTimeout(r, 800));
              yield p;
            }
          })(),
        };
      },
    };
    const s = await serve({ services: slow, heartbeatMs: 300 }, { requestTimeoutMs: 1_000, headersTimeoutMs: 500 });
    const t0 = Date.now();
    const res = await post(`${s.url}/api/ask`, { question: QUESTION });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(Date.now() - t0).toBeGreaterThan(2_000);
    expect(events.at(-1)!.type).toBe('finish');
  }, 20_000);
});

describe('limits and access', () => {
  it('rate-limits per client IP with 429 and Retry-After; only admitted questions spend a token', async () => {
    const s = await serve({ rate: { perMinute: 1, burst: 2 } });
    // Rejected requests — bad JSON, failed validation, a wrong type, too big — do not use up the person's questions.
    const rejected = [
      (await post(`${s.url}/api/ask`, '{not json')).status,
      (await post(`${s.url}/api/ask`, {})).status,
      (await fetch(`${s.url}/api/ask`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"question":"q"}' })).status,
      (await post(`${s.url}/api/ask`, { question: 'q', pad: 'x'.repeat(64 * 1024) })).status,
    ];
    expect(rejected).toEqual([400, 400, 415, 413]);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await post(`${s.url}/api/ask`, { question: QUESTION }, { 'x-forwarded-for': `10.0.0.${i}` });
      statuses.push(res.status);
      if (res.status === 200) await readSse(res);
      else await res.body?.cancel();
    }
    // Not behind a trusted proxy: X-Forwarded-For does not pick a fresh bucket.
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await post(`${s.url}/api/ask`, { question: QUESTION });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
  }, 30_000);

  it('a flood of rejected requests is bounded too: its own bucket, then 429 before the body is read', async () => {
    const s = await serve({ rate: { perMinute: 1, burst: 2 }, rejectRate: { perMinute: 1, burst: 5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await post(`${s.url}/api/ask`, '{not json')).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429]);
    // Once the reject bucket is empty, even a valid question waits (the client is flooding) — with Retry-After.
    const valid = await post(`${s.url}/api/ask`, { question: QUESTION });
    expect(valid.status).toBe(429);
    expect(Number(valid.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Re-sending valid questions past the limit is no unlimited path either: those 429s count as rejections.
    const t = await serve({ rate: { perMinute: 1, burst: 1 }, rejectRate: { perMinute: 1, burst: 3 } });
    const first = await post(`${t.url}/api/ask`, { question: QUESTION });
    expect(first.status).toBe(200);
    await readSse(first);
    const more: number[] = [];
    for (let i = 0; i < 5; i++) more.push((await post(`${t.url}/api/ask`, { question: QUESTION })).status);
    expect(more).toEqual([429, 429, 429, 429, 429]);
    // The first three were answered after reading the body; the next ones before it (the reject bucket is empty).
    const early = await post(`${t.url}/api/ask`, { question: QUESTION });
    expect(early.headers.get('connection')).toBe('close');
    // Wrong tokens spend the reject bucket as well: guessing WEB_CHAT_TOKEN is bounded per address.
    const u = await serve({ token: 'web-chat-token-0123456789', rejectRate: { perMinute: 1, burst: 3 } });
    const guesses: number[] = [];
    for (let i = 0; i < 5; i++) guesses.push((await post(`${u.url}/api/ask`, { question: QUESTION }, { authorization: `Bearer guess-${i}` })).status);
    expect(guesses).toEqual([401, 401, 401, 429, 429]);
  }, 30_000);

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

describe('what the browser gets of a finish part', () => {
  it('failure reasons without the endpoint they name; citation paths relative', () => {
    const part: AnswerPart = {
      type: 'finish',
      info: {
        finishReason: 'stop', text: 'x', backend: 'extractive', cached: false, notFound: false, searchQuery: 'q',
        citations: [{ n: 1, passage: 1, title: 'Guide', sourceId: 'guides/logger.md', url: null, path: '/srv/catalog/guides/logger.md', page: null }],
        fallbacks: [{ backend: 'openai:m@http://10.0.0.5:8000', reason: 'cannot reach Ollama at http://10.0.0.5:11434 (ECONNREFUSED)' }],
        degraded: [{ part: 'vector search', reason: 'chroma at 10.0.0.7:8000 did not answer within 2000 ms' }],
        timings: { retrievalMs: 1, firstTokenMs: null, totalMs: 2 },
      },
    };
    const wire = JSON.stringify(serialisePart(part));
    expect(wire).not.toMatch(/10\.0\.0\.|\/srv\//);
    expect(wire).toContain('cannot reach Ollama at its endpoint (ECONNREFUSED)');
    expect(wire).toContain('"backend":"openai:m"');
    expect(wire).toContain('"path":"guides/logger.md"');
  });
});
