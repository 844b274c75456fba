/**
 * Issue 15 (parts 3 and 4), end to end: a source URL with `user:pass@` and `?api_key=`, one with `?token=`
 * that 404s, and one that redirects to a loopback "internal" service. The real `docent index` and
 * `docent status`, then a runtime on the same data dir serving the status page, `/sources`, `status`, an
 * admin reindex and an answer. The feed must receive the credentials (Basic auth, the key in the query); the
 * internal service must receive nothing; no secret may appear in anything printed, posted, served, logged or
 * stored.
 *
 * Each case records what it observed (`observe`, before asserting) for the generated reliability report.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reindexCommand } from '../../commands/reindex.js';
import { sourcesCommand } from '../../commands/sources.js';
import { statusCommand } from '../../commands/status.js';
import type { CommandReply } from '../../commands/types.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logging/logger.js';
import { openRuntime, type OpenedRuntime } from '../../src/runtime/docent-runtime.js';
import { createMetrics, readinessCheck, startHttpServer, type RunningHttpServer } from '../../src/server/index.js';
import { startRouteServer, sendJson, type RouteServer } from '../fakes/route-server.js';
import { docentCli } from '../helpers/docent-cli.js';
import { observe } from './observe.js';

const PASSWORD = 'pw-Feed-Secret-4242';
const KEY = 'KEY-e2e-0123456789abcdef';
const TOKEN = 'tok-missing-9876543210';
const BASIC = Buffer.from(`feeder:${PASSWORD}`).toString('base64');
const SECRETS: Record<string, string> = { PASSWORD, KEY, TOKEN, BASIC };

const work = mkdtempSync(path.join(os.tmpdir(), 'docent-url-creds-'));
const dataDir = path.join(work, 'data');
const docent = docentCli(work, dataDir);
const console_ = { platform: 'console' as const, userId: 'console', roleIds: [] };

let feed: RouteServer;
let internal: RouteServer;
let port = '';
let sources: string[] = [];
let env: Record<string, string> = {};
/** Everything a user or operator could see, by where it came from. */
const seen: Array<{ where: string; text: string }> = [];

const report = (c: string, expected: string, observed: string): void => observe(`url-credentials/${c}`, observed, expected);

/** Secret names found in `text` (empty when clean). */
const leaks = (text: string): string[] => Object.entries(SECRETS).filter(([, v]) => text.includes(v)).map(([k]) => k);

/** Every file under a folder, as latin1 text (SQLite and Chroma files store strings as plain bytes). */
function readTree(dir: string): Array<{ where: string; text: string }> {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? readTree(p) : [{ where: path.relative(work, p), text: readFileSync(p, 'latin1') }];
  });
}

/** The base URL shown for a source: no userinfo, credential values replaced. */
const shownFeed = () => `http://127.0.0.1:${port}/data.json?api_key=REDACTED&format=json`;

beforeAll(async () => {
  internal = await startRouteServer('internal');
  internal.route('GET', /.*/, (_req, res) => sendJson(res, 200, { dataset: [{ identifier: 'int-1', title: 'Internal admin secrets', description: 'Only for the intranet.' }] }));
  feed = await startRouteServer('feed');
  port = new URL(feed.url).port;
  feed.route('GET', '/data.json', (req, res) => {
    if (req.headers.authorization !== `Basic ${BASIC}`) return sendJson(res, 401, { error: 'login required' });
    // The server echoes the key in its download links, as many APIs do: it must not reach a citation or passage.
    sendJson(res, 200, {
      dataset: [
        { identifier: 'snow-1', title: 'Snow depth', description: 'Daily snow depth at mountain stations.', keyword: ['snow'], landingPage: 'https://data.example.org/snow' },
        { identifier: 'lakes-1', title: 'Lake levels', description: 'Lake levels, measured weekly.', keyword: ['lakes'], distribution: [{ title: 'CSV', downloadURL: `${feed.url}/lakes.csv?api_key=${KEY}` }] },
      ],
    });
  });
  feed.route('GET', '/missing.json', (_req, res) => sendJson(res, 404, { error: 'not here' }));
  feed.route('GET', '/moved.json', (_req, res) => {
    res.writeHead(302, { location: `${internal.url}/admin/data.json` });
    res.end();
  });
  sources = [
    `http://feeder:${PASSWORD}@127.0.0.1:${port}/data.json?api_key=${KEY}&format=json`,
    `http://127.0.0.1:${port}/missing.json?token=${TOKEN}`,
    `http://127.0.0.1:${port}/moved.json`,
  ];
  // Only the feed's host:port is allowed: the "internal" server on another loopback port stays refused.
  env = { EMBEDDER: 'hash', LLM_CHAIN: 'extractive', SOURCES: sources.join(','), FETCH_ALLOW_HOSTS: `127.0.0.1:${port}`, LOG_LEVEL: 'debug' };
});

afterAll(async () => {
  await feed?.close();
  await internal?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('credentials in source URLs', () => {
  it('docent index fetches with Basic auth and the key, refuses the redirect to loopback, and prints only redacted URLs', async () => {
    const r = await docent(['index'], env);
    seen.push({ where: 'docent index stdout', text: r.stdout }, { where: 'docent index stderr (debug log)', text: r.stderr });
    const got = feed.requests.find((q) => q.path.startsWith('/data.json'));
    report('index-fetch', 'Basic auth and ?api_key= arrive at the feed; output shows only redacted URLs',
      `feed got ${got?.headers.authorization === `Basic ${BASIC}` ? 'Basic auth' : 'no auth'}, key ${got?.path.includes(KEY) ? 'in query' : 'missing'}; leaks in output: ${leaks(r.stdout + r.stderr).join(',') || 'none'}`);
    report('redirect-to-loopback', 'a feed redirecting to an internal loopback service is skipped; the service receives nothing', `internal requests: ${internal.requests.length}; ${/moved\.json — [^\n]*/.exec(r.stdout)?.[0] ?? 'no skip line'}`);
    expect(got!.path).toBe(`/data.json?api_key=${KEY}&format=json`);
    expect(got!.headers.authorization).toBe(`Basic ${BASIC}`);
    expect(r.stdout).toMatch(/^Built index version 1: 2 documents/);
    expect(r.stdout).toContain(`  ${shownFeed()}: 2 documents`);
    expect(r.stdout).toContain(`  http://127.0.0.1:${port}/missing.json?token=REDACTED — could not fetch: HTTP 404 Not Found`);
    expect(r.stdout).toMatch(new RegExp(`moved\\.json — could not fetch: redirected to ${internal.url.replace(/\./g, '\\.')}/admin/data\\.json, refused: 127\\.0\\.0\\.1 is a loopback address`));
    expect(internal.requests).toEqual([]);
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
  });

  it('docent status (text and --json) shows the redacted sources and skip list', async () => {
    const text = await docent(['status'], env);
    const json = await docent(['status', '--json'], env);
    seen.push({ where: 'docent status', text: text.stdout + text.stderr }, { where: 'docent status --json', text: json.stdout + json.stderr });
    report('docent-status', 'sources and skips redacted in text and JSON', `leaks: ${leaks(text.stdout + text.stderr + json.stdout + json.stderr).join(',') || 'none'}`);
    expect(text.stdout).toContain(`  ${shownFeed()}: 2 documents`);
    const status = JSON.parse(json.stdout) as { sources: Record<string, unknown>; lastRun: { skipped: Array<{ location: string }> } };
    expect(Object.keys(status.sources)).toContain(shownFeed());
    expect(status.lastRun.skipped.map((s) => s.location)).toContain(`http://127.0.0.1:${port}/missing.json?token=REDACTED`);
    expect(leaks(text.stdout + text.stderr + json.stdout + json.stderr)).toEqual([]);
  });

  describe('a running Docent on the same index', () => {
    let rt: OpenedRuntime;
    let server: RunningHttpServer;
    const logChunks: string[] = [];

    beforeAll(async () => {
      const config = loadConfig({ env, overrides: { dataDir } });
      const sink = new Writable({
        write(chunk: Buffer | string, _enc, cb) {
          logChunks.push(chunk.toString());
          cb();
        },
      });
      const logger = createLogger({ level: 'trace', pretty: 'never', destination: sink });
      logger.info({ config }, 'configuration loaded');
      logger.warn(`fetching ${sources[0]}`);
      rt = await openRuntime(config, logger);
      server = await startHttpServer({ port: 0, host: '127.0.0.1', services: rt.services, ready: readinessCheck(rt.probes), metrics: createMetrics({ defaultMetrics: false }), logger });
    });
    afterAll(async () => {
      await server?.close();
      await rt?.close();
    });

    const text = (reply: CommandReply): string => (reply.type === 'text' ? reply.markdown : '');

    it('the admin reindex reply posted in the channel, /sources and status show redacted URLs', async () => {
      const before = feed.requests.length;
      const reply = await reindexCommand.run({ args: {}, invoker: console_, services: rt.services });
      expect(reply.type).toBe('progress');
      const final = reply.type === 'progress' ? await reply.run(async () => undefined) : '';
      seen.push({ where: 'reindex reply', text: final });
      report('reindex-reply', 'the skip list in the channel reply shows token=REDACTED', /• `[^`]*missing\.json[^`]*`/.exec(final)?.[0] ?? 'no skip line');
      expect(final).toMatch(/^✅ Nothing changed; version 1 kept/);
      expect(final).toContain(`• \`http://127.0.0.1:${port}/missing.json?token=REDACTED\` — could not fetch: HTTP 404 Not Found`);
      // The reindex really fetched again, with the credentials.
      expect(feed.requests.slice(before).some((q) => q.headers.authorization === `Basic ${BASIC}` && q.path.includes(KEY))).toBe(true);

      const listed = text(await sourcesCommand.run({ args: {}, invoker: console_, services: rt.services }));
      const status = text(await statusCommand.run({ args: {}, invoker: console_, services: rt.services }));
      seen.push({ where: '/sources', text: listed }, { where: 'status command', text: status });
      expect(listed).toContain(`• \`${shownFeed()}\` — 2 documents`);
      expect(status).toContain('Last admin reindex');
    });

    it('the public status page, /metrics and an answer quoting the feed carry no credential', async () => {
      const page = await (await fetch(`${server.url}/`)).text();
      seen.push({ where: 'GET /', text: page }, { where: 'GET /metrics', text: await (await fetch(`${server.url}/metrics`)).text() });
      expect(page).toContain(`<code>${shownFeed().replace('&', '&amp;')}</code>`);

      const parts: unknown[] = [];
      for await (const p of rt.services.ask({ text: 'lake levels measured weekly csv', history: [] }).parts) parts.push(p);
      const answer = JSON.stringify(parts);
      seen.push({ where: 'answer parts', text: answer });
      report('status-page-and-answer', 'the status page shows the redacted source; a quoted record has api_key=REDACTED', `page ${page.includes(shownFeed().replace('&', '&amp;')) ? 'shows the redacted source' : 'lacks the source'}; answer ${answer.includes('api_key=REDACTED') ? 'quotes api_key=REDACTED' : 'has no redacted link'}`);
      // The lakes record was found and cited; its echoed download link is there, with the key replaced.
      expect(answer).toContain('Lake levels');
      expect(answer).toContain(`/lakes.csv?api_key=REDACTED`);
    });

    it('no secret anywhere: outputs, the trace-level log, or any file in the data dir', async () => {
      await new Promise((r) => setTimeout(r, 100)); // let pino flush
      const log = logChunks.join('');
      expect(log).toContain('configuration loaded');
      expect(log).toContain(`fetching ${shownFeed()}`);
      seen.push({ where: 'pino log (trace)', text: log }, ...readTree(dataDir));
      const found = seen.flatMap((s) => leaks(s.text).map((k) => `${k} in ${s.where}`));
      report('no-secret-anywhere', 'no password, key, token or Basic credential in any output, log or data file', `${seen.length} outputs searched; leaks: ${found.join('; ') || 'none'}`);
      expect(found).toEqual([]);
    });
  });
});
