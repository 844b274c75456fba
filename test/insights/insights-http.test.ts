/**
 * `/insights` on the operations HTTP server: the same STATUS_TOKEN check as /status and /metrics, refused on a
 * non-loopback bind when no token is set, its own strict CSP, and questions from the activity log HTML-escaped.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocentServices } from '../../commands/services.js';
import type { DocentConfig } from '../../config/schema.js';
import { loadInsights } from '../../src/insights/load-insights.js';
import { startHttpServer, type HttpServerOptions, type RunningHttpServer } from '../../src/server/http-server.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'docent-insights-http-'));
const dataDir = path.join(work, 'data');
const TOKEN = 'insights-test-token-0123456789';
const servers: RunningHttpServer[] = [];
const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> where is the lidar?';
/** NUL, BEL, ESC (an OSC 8 link), DEL, C1 NEL and CSI, and the bidi overrides and isolates ("Trojan Source"). */
const CONTROLS = ['\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009b', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
const sneaky = `snow${CONTROLS.join('')} \u001b]8;;https://evil.example\u001b\\depth\u202e fdp.exe`;
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const services: Pick<DocentServices, 'status' | 'sources'> = {
  status: async () => ({
    documents: 3, chunks: 9, indexVersion: 1, builtAt: new Date().toISOString(), checkedAt: new Date().toISOString(), embedder: { id: 'word-vectors', fallback: false },
    backends: [], answers: 1, feedback: { up: 0, down: 0 }, reindexRunning: false, schedule: null, lastRuns: [],
  }),
  sources: async () => ({ sources: [] }),
};

async function serve(o: Partial<HttpServerOptions>): Promise<RunningHttpServer> {
  const config = { dataDir, activity: { retentionDays: 30 } } as Pick<DocentConfig, 'dataDir' | 'activity'>;
  const s = await startHttpServer({
    port: 0, host: '127.0.0.1', services, logger: pino({ level: 'silent' }),
    ready: async () => ({ ok: true, checks: {} }), metrics: { render: async () => '', contentType: 'text/plain' },
    insights: (since) => loadInsights(config, { since }), ...o,
  });
  servers.push(s);
  return s;
}

beforeAll(() => {
  mkdirSync(path.join(dataDir, 'activity'), { recursive: true });
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const line = { answerId: 'a1', at, question: hostile, searchQuery: hostile, backend: 'none', cached: false, notFound: true, citations: [], surface: 'web', fallbacks: [], user: 'h:0123456789abcdef' };
  const odd = { ...line, answerId: 'a2', question: sneaky, searchQuery: sneaky, user: 'h:fedcba9876543210' };
  writeFileSync(path.join(dataDir, 'activity', 'answers.jsonl'), `${JSON.stringify(line)}\n${JSON.stringify(odd)}\n`);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(work, { recursive: true, force: true });
});

describe('/insights', () => {
  it('needs the STATUS_TOKEN when one is set, like /metrics', async () => {
    const s = await serve({ token: TOKEN });
    const anonymous = await fetch(`${s.url}/insights`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain('lidar');
    expect((await fetch(`${s.url}/insights`, { headers: { Authorization: 'Bearer wrong-token-000000000000' } })).status).toBe(401);
    const ok = await fetch(`${s.url}/insights`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await ok.text()).toContain('where is the lidar?');
  });

  it('shows questions HTML-escaped, under a CSP that allows only its own stylesheet', async () => {
    const s = await serve({ token: TOKEN });
    const res = await fetch(`${s.url}/insights?since=24h`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const html = await res.text();
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('h:0123456789abcdef');
    expect(html).toContain('aria-current="page">last 24h');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'$/);
    expect(csp).not.toContain('unsafe-inline');
  });

  it('shows control characters and bidi overrides in a question as U+FFFD, never raw', async () => {
    const s = await serve({ token: TOKEN });
    const html = await (await fetch(`${s.url}/insights?since=24h`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
    expect(html).toContain('depth');
    expect(html).not.toMatch(UNSAFE);
    expect(html).toContain(`snow${'\ufffd'.repeat(CONTROLS.length)} \ufffd]8;;https://evil.example\ufffd\\depth\ufffd fdp.exe`);
  });

  it('answers a bad window with 400 naming the query parameter `since` and the forms that work', async () => {
    const s = await serve({ token: TOKEN });
    const get = (since: string) => fetch(`${s.url}/insights?since=${encodeURIComponent(since)}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    for (const since of ['forever', '1y', '3m', '-1d', '']) {
      const res = await get(since);
      expect(res.status, since).toBe(400);
      const body = await res.text();
      expect(body).toMatch(/^The query parameter `since` must be a whole number of hours \(h\), days \(d\) or weeks \(w\), e\.g\. \?since=24h, \?since=7d, \?since=2w or \?since=30d/);
      expect(body).not.toContain('--since');
      expect(body).toContain(`(got "${since}")`);
    }
    // 0h is a window of nothing: refused with its own sentence, pointing at 1h / 24h.
    const zero = await get('0h');
    expect(zero.status).toBe(400);
    expect(await zero.text()).toMatch(/^The query parameter `since` must be at least 1 hour: a window of 0 is empty \(got "0h"\); for the last hour use \?since=1h/);
    // A control character in the echoed value is not sent back raw.
    const echoed = await (await get('\u001b[2J1y')).text();
    expect(echoed).not.toMatch(UNSAFE);
    expect((await get('2w')).status).toBe(200);
    expect((await get('1h')).status).toBe(200);
    const status = await (await fetch(`${s.url}/status`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
    expect(status).toContain('<a href="/insights">/insights</a>');
  });

  it('without a token: served on loopback, refused on any other bind', async () => {
    const local = await serve({});
    expect((await fetch(`${local.url}/insights`)).status).toBe(200);
    const wide = await serve({ host: '0.0.0.0' });
    const refused = await fetch(`http://127.0.0.1:${wide.port}/insights`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/set STATUS_TOKEN/);
  });

  it('is 404 when the server was started without insights', async () => {
    const s = await serve({ insights: undefined });
    expect((await fetch(`${s.url}/insights`)).status).toBe(404);
    expect(await (await fetch(`${s.url}/status`)).text()).not.toContain('/insights');
  });
});
