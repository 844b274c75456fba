/**
 * Who can reach the operations server and what they see: it binds 127.0.0.1 unless configured otherwise (0.0.0.0
 * under the Space profile), and with STATUS_TOKEN the figures (status page details, /metrics) need
 * `Authorization: Bearer <token>` while /healthz and /readyz stay open for orchestrators.
 */
import http from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceReport, StatusReport } from '../../commands/services.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';
import { bearerCheck, startHttpServer, type RunningHttpServer } from '../../src/server/http-server.js';
import { createMetrics } from '../../src/server/metrics.js';
import type { ReadinessResult } from '../../src/server/readiness.js';
import { observe } from '../reliability/observe.js';

const TOKEN = 'status-token-0123456789abcdef';
const logger = pino({ level: 'silent' });
const now = new Date().toISOString();
const status: StatusReport = {
  documents: 1234, chunks: 56789, indexVersion: 42, builtAt: now, checkedAt: now,
  embedder: { id: 'word-vectors', fallback: false },
  backends: [{ id: 'extractive', healthy: true, state: 'closed' }],
  answers: 321, feedback: { up: 17, down: 4 }, reindexRunning: false,
  schedule: { expression: '', timezone: 'UTC', nextRun: null },
  lastRuns: [],
};
const sources: SourceReport = { sources: [{ source: '/srv/internal-docs', documents: 1234, chunks: 56789 }] };
let readiness: ReadinessResult = { ok: true, checks: { index: true, chroma: true } };

async function start(o: { host?: string; token?: string }): Promise<RunningHttpServer> {
  const metrics = createMetrics({ defaultMetrics: false });
  return startHttpServer({
    port: 0, logger, metrics, services: { status: async () => status, sources: async () => sources }, ready: async () => readiness,
    ...(o.host ? { host: o.host } : {}), ...(o.token ? { token: o.token } : {}),
  });
}

/** A raw request to an address and port (fetch would not show a refused connection as plainly). */
function request(host: string, port: number, p: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path: p, method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const refused = (p: Promise<unknown>) => p.then(() => 'connected', (err: NodeJS.ErrnoException) => err.code ?? String(err));

describe('where the server listens', () => {
  it('binds 127.0.0.1 by default: another address of this host is refused', async () => {
    const server = await start({});
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      expect((await request('127.0.0.1', server.port, '/healthz')).status).toBe(200);
      // On Linux all of 127/8 reaches this host, but a socket bound to 127.0.0.1 accepts on that address only.
      const other = await refused(request('127.0.0.2', server.port, '/healthz'));
      observe('exposure/default-bind', `default bind ${server.url}; 127.0.0.2 → ${other}`);
      expect(other).toBe('ECONNREFUSED');
    } finally {
      await server.close();
    }
  });

  it('binds every interface when told to (the Space profile)', async () => {
    const server = await start({ host: '0.0.0.0' });
    try {
      expect(server.url).toBe(`http://localhost:${server.port}`);
      expect((await request('127.0.0.2', server.port, '/healthz')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('config: 127.0.0.1 by default, 0.0.0.0 under the Space profile, HTTP_HOST over both', () => {
    expect(loadConfig({ env: {} }).server.host).toBe('127.0.0.1');
    expect(loadConfig({ env: { SPACE_ID: 'someone/docent' } }).server.host).toBe('0.0.0.0');
    expect(loadConfig({ env: { DOCENT_PROFILE: 'hf-space' } }).server.host).toBe('0.0.0.0');
    expect(loadConfig({ env: { SPACE_ID: 'someone/docent', HTTP_HOST: '127.0.0.1' } }).server.host).toBe('127.0.0.1');
    expect(loadConfig({ env: { HTTP_HOST: '::' } }).server.host).toBe('::');
  });
});

describe('STATUS_TOKEN', () => {
  let server: RunningHttpServer;
  const get = (p: string, headers: Record<string, string> = {}, method = 'GET') => request('127.0.0.1', server.port, p, headers, method);
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  beforeAll(async () => {
    server = await start({ token: TOKEN });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('/metrics needs the bearer token', async () => {
    const none = await get('/metrics');
    const wrong = await get('/metrics', bearer(`${TOKEN}x`));
    const prefix = await get('/metrics', bearer(TOKEN.slice(0, -1)));
    const basic = await get('/metrics', { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` });
    const head = await get('/metrics', {}, 'HEAD');
    const right = await get('/metrics', bearer(TOKEN));
    const lowerScheme = await get('/metrics', { authorization: `bearer ${TOKEN}` });
    observe('exposure/metrics-token', `/metrics: no token ${none.status}, wrong ${wrong.status}, prefix ${prefix.status}, Basic ${basic.status}, HEAD ${head.status}, right token ${right.status}`);
    for (const r of [none, wrong, prefix, basic, head]) {
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer realm="docent"');
      expect(r.body).not.toMatch(/docent_/);
    }
    expect(right.status).toBe(200);
    expect(right.body).toMatch(/^# HELP docent_/m);
    expect(lowerScheme.status).toBe(200);
  });

  it('the status page says only ok / not ready without the token, and everything with it', async () => {
    const bare = await get('/status');
    const full = await get('/status', bearer(TOKEN));
    readiness = { ok: false, checks: { index: true, chroma: 'unreachable: connect ECONNREFUSED 10.1.2.3:8000' } };
    const down = await get('/status');
    readiness = { ok: true, checks: { index: true, chroma: true } };
    const figures = /1,234|56,789|internal-docs|word-vectors|extractive/;
    observe('exposure/status-page-token', `/ without token: ${bare.status}, ${bare.body.length} bytes, figures ${figures.test(bare.body) ? 'SHOWN' : 'hidden'}; with token: figures ${figures.test(full.body) ? 'shown' : 'MISSING'}`);
    expect(bare.status).toBe(200);
    expect(bare.body).toMatch(/<p>ok<\/p>/);
    expect(bare.body).not.toMatch(figures);
    expect(down.body).toMatch(/<p>not ready<\/p>/);
    expect(down.body).not.toMatch(/10\.1\.2\.3/);
    expect(full.status).toBe(200);
    expect(full.body).toMatch(/1,234/);
    expect(full.body).toMatch(/internal-docs/);
  });

  it('/healthz and /readyz stay open; /readyz keeps failure reasons for token holders', async () => {
    expect((await get('/healthz')).status).toBe(200);
    readiness = { ok: false, checks: { index: true, chroma: 'unreachable: connect ECONNREFUSED 10.1.2.3:8000' } };
    try {
      const open = await get('/readyz');
      expect(open.status).toBe(503);
      expect(JSON.parse(open.body)).toEqual({ ok: false, checks: { index: true, chroma: false } });
      const detailed = await get('/readyz', bearer(TOKEN));
      expect(detailed.status).toBe(503);
      expect(JSON.parse(detailed.body).checks.chroma).toMatch(/10\.1\.2\.3/);
    } finally {
      readiness = { ok: true, checks: { index: true, chroma: true } };
    }
    expect((await get('/readyz')).status).toBe(200);
  });

  it('without a token everything is open, as before', async () => {
    const open = await start({});
    try {
      expect((await request('127.0.0.1', open.port, '/metrics')).status).toBe(200);
      expect((await request('127.0.0.1', open.port, '/status')).body).toMatch(/1,234/);
    } finally {
      await open.close();
    }
  });
});

describe('bearerCheck', () => {
  it('accepts exactly the token, compared as fixed-size digests', () => {
    const ok = bearerCheck(TOKEN);
    const req = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } });
    expect(ok(req(`Bearer ${TOKEN}`))).toBe(true);
    expect(ok(req(`Bearer  ${TOKEN} `))).toBe(true);
    for (const bad of [undefined, '', 'Bearer', 'Bearer ', `Bearer ${TOKEN} extra`, `Token ${TOKEN}`, TOKEN, `Bearer ${TOKEN.toUpperCase()}`, `Bearer ${'x'.repeat(10_000)}`]) {
      expect(ok(req(bad)), String(bad).slice(0, 40)).toBe(false);
    }
    expect(bearerCheck(undefined)(req())).toBe(true);
    expect(bearerCheck('')(req())).toBe(true);
  });

  it('STATUS_TOKEN is validated at start-up without echoing it', () => {
    expect(loadConfig({ env: { STATUS_TOKEN: TOKEN } }).server.token).toBe(TOKEN);
    expect(loadConfig({ env: {} }).server.token).toBe('');
    for (const bad of ['short-secret', 'has a space in it 123456']) {
      let err: unknown;
      try {
        loadConfig({ env: { STATUS_TOKEN: bad } });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toMatch(/STATUS_TOKEN/);
      expect(`${(err as ConfigError).message} ${(err as ConfigError).hint ?? ''}`).not.toContain(bad);
    }
  });
});
