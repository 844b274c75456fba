/**
 * The operations HTTP server over a real runtime (the sample catalog, its own Chroma server, the no-download
 * embedder, extractive answers): liveness, readiness that follows Chroma, Prometheus metrics fed by the
 * instrumented services, and a status page that shows the figures and escapes what it is given.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocentServices } from '../../commands/services.js';
import { loadConfig } from '../../src/config/load-config.js';
import { openRuntime, type OpenedRuntime } from '../../src/runtime/docent-runtime.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/http-server.js';
import { createMetrics, instrumentServices } from '../../src/server/metrics.js';
import { readinessCheck } from '../../src/server/readiness.js';
import { renderStatusPage } from '../../src/server/status-page.js';
import { parsePrometheusText, sampleValue } from './prom-text.js';
import { drain } from '../helpers/answers.js';

const repo = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-http-'));
const docs = path.join(work, 'docs');
const logger = pino({ level: 'silent' });
let rt: OpenedRuntime;
let services: DocentServices;
let server: RunningHttpServer;

beforeAll(async () => {
  cpSync(path.join(repo, 'data/sample'), docs, { recursive: true });
  const config = loadConfig({ env: { EMBEDDER: 'word-vectors' }, overrides: { dataDir: path.join(work, 'data'), sources: [docs] } });
  rt = await openRuntime(config, logger, { indexIfEmpty: true });
  const metrics = createMetrics();
  services = instrumentServices(rt.services, metrics);
  server = await startHttpServer({ port: 0, host: '127.0.0.1', services, ready: readinessCheck(rt.probes), metrics, logger });
});
afterAll(async () => {
  await server?.close();
  await rt?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('HTTP status server', () => {
  it('on a loopback bind answers only loopback Host names (a DNS-rebinding page names its own domain)', async () => {
    const get = (host: string) => new Promise<number>((resolve, reject) => {
      const u = new URL(`${server.url}/status`);
      http.get({ hostname: u.hostname, port: u.port, path: u.pathname, headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    const port = new URL(server.url).port;
    expect(await get(`attacker.example:${port}`)).toBe(421);
    expect(await get('attacker.example')).toBe(421);
    expect(await get(`localhost:${port}`)).toBe(200);
    expect(await get(`127.0.0.1:${port}`)).toBe(200);
  });

  it('answers /healthz with 200 ok, for GET and HEAD', async () => {
    const get = await fetch(`${server.url}/healthz`);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('ok\n');
    const head = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('is ready while the index is loaded and Chroma answers', async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, checks: { index: true, chroma: true } });
  });

  it('serves 404 for unknown paths, 405 for other methods, and survives a malformed request', async () => {
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    const post = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const { connect } = await import('node:net');
    const reply = await new Promise<string>((resolve) => {
      const s = connect(server.port, '127.0.0.1', () => s.write('NOT HTTP AT ALL\r\n\r\n'));
      let data = '';
      s.on('data', (d) => (data += d.toString()));
      s.on('close', () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('counts answers served through the instrumented services in /metrics', async () => {
    const questions = ['how do I cite your data in a paper?', 'how often do stream gauges report water level?', 'which data are embargoed or restricted?'];
    for (const text of questions) {
      const parts = await drain(services.ask({ text, history: [] }).parts);
      expect(parts.at(-1)).toMatchObject({ type: 'finish', info: { backend: 'extractive', cached: false, notFound: false } });
    }
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8/i);
    const text = await res.text();
    expect(text).toContain('docent_answers_total{backend="extractive",outcome="answered"} 3');
    const m = parsePrometheusText(text);
    expect(m.types.get('docent_answers_total')).toBe('counter');
    expect(m.types.get('docent_answer_stage_seconds')).toBe('histogram');
    expect(sampleValue(m, 'docent_answers_total', { backend: 'extractive', outcome: 'answered' })).toBe(3);
    // Histogram: cumulative buckets ending in +Inf equal to the count, for retrieval and total.
    for (const stage of ['retrieval', 'total']) {
      expect(sampleValue(m, 'docent_answer_stage_seconds_count', { stage })).toBe(3);
      expect(sampleValue(m, 'docent_answer_stage_seconds_bucket', { stage, le: '+Inf' })).toBe(3);
      const buckets = m.samples.filter((s) => s.name === 'docent_answer_stage_seconds_bucket' && s.labels.stage === stage).map((s) => s.value);
      expect(buckets.length).toBeGreaterThan(5);
      expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
    }
    expect(m.types.get('docent_reindex_runs_total')).toBe('counter');
    expect(m.types.get('docent_reindex_duration_seconds')).toBe('histogram');
    expect(m.types.get('docent_backend_fallbacks_total')).toBe('counter');
    // Default process metrics are there too.
    expect(m.samples.some((s) => s.name === 'process_resident_memory_bytes')).toBe(true);
  });

  it('serves the status page with the catalog figures and the answers served', async () => {
    const res = await fetch(`${server.url}/status`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    // Nobody may frame the page by default (the Space profile allows huggingface.co: see the test below).
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await res.text();
    const status = await services.status();
    expect(status.answers).toBe(3);
    expect(html).toContain(`<span class="figure" id="documents">${status.documents}</span>`);
    expect(html).toContain(`<span class="figure" id="passages">${status.chunks}</span>`);
    expect(html).toContain('<span class="figure" id="answers-served">3</span>');
    expect(html).toContain('word-vectors');
    expect(html).not.toMatch(/<script/i);
  });

  it('escapes hostile strings in the report', async () => {
    const status = await services.status();
    const hostile = '<script>alert(1)</script>';
    const html = renderStatusPage(
      {
        ...status,
        sources: [{ source: hostile, documents: 2, chunks: 5 }],
        lastRuns: [{ trigger: 'admin', finishedAt: new Date().toISOString(), ok: false, summary: `"><img src=x onerror=alert(2)>` }],
      },
      { title: `Docent & <b>friends</b>` },
    );
    expect(html).not.toContain(hostile);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<img');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('<title>Docent &amp; &lt;b&gt;friends&lt;/b&gt;</title>');
  });

  it('reports 503 with the failing check once Chroma is gone, while /healthz stays 200', async () => {
    await rt.stores.close();
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { ok: boolean; checks: Record<string, unknown> };
    expect(body.ok).toBe(false);
    expect(body.checks.index).toBe(true);
    expect(body.checks.chroma).toEqual(expect.stringMatching(/^unreachable: /));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('close() stops accepting connections', async () => {
    await server.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});

describe('framing', () => {
  it('lets huggingface.co frame the pages under the Space profile, which shows a Space app in an iframe', async () => {
    const space = loadConfig({ env: { SPACE_ID: 'someone/docent' }, overrides: { dataDir: path.join(work, 'space-data') } });
    expect(space.server.frameAncestors).toBe('https://huggingface.co');
    expect(loadConfig({ env: {}, overrides: { dataDir: path.join(work, 'plain') } }).server.frameAncestors).toBe("'none'");
    const framed = await startHttpServer({ port: 0, host: '127.0.0.1', frameAncestors: space.server.frameAncestors, services, ready: readinessCheck(rt.probes), metrics: createMetrics(), logger });
    try {
      for (const route of ['/status', '/healthz', '/nowhere']) {
        const res = await fetch(`${framed.url}${route}`);
        expect(res.headers.get('content-security-policy')).toContain('frame-ancestors https://huggingface.co;');
      }
    } finally {
      await framed.close();
    }
  });

  it("refuses a frame-ancestors value that is not 'none', 'self' or https origins, naming the key", () => {
    expect(() => loadConfig({ env: { HTTP_FRAME_ANCESTORS: "* 'unsafe-inline'" }, overrides: { dataDir: path.join(work, 'bad') } })).toThrow(/server\.frameAncestors|HTTP_FRAME_ANCESTORS/);
  });
});
