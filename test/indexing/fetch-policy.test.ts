/**
 * The fetch policy for URL sources, against real loopback servers: what a server received (or that it
 * received nothing) is the assertion. Host names are resolved by a stand-in resolver (no DNS here), which is
 * also how the DNS-rebinding case is staged.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadError } from '../../src/core/errors.js';
import { blockedAddressKind, isAllowListed, STRICT_FETCH_POLICY, type FetchPolicy, type Resolve } from '../../src/indexing/loaders/fetch-policy.js';
import { fetchSource, NOT_MODIFIED, type Download } from '../../src/indexing/loaders/fetch-source.js';

interface Seen { path: string; headers: IncomingHttpHeaders }
interface Loopback { port: number; base: string; seen: Seen[]; close: () => Promise<void> }

async function serve(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Loopback> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    port, base: `http://127.0.0.1:${port}`, seen,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

const PASSWORD = 'pw-Loopback-7781';
const KEY = 'KEY0123456789abcdef';
let feed: Loopback;
let internal: Loopback;
let other: Loopback;

beforeAll(async () => {
  internal = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"secret":"internal admin data"}'));
  other = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('other origin'));
  feed = await serve((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/to-internal') return void res.writeHead(302, { location: `${internal.base}/admin` }).end();
    if (path === '/to-same') return void res.writeHead(301, { location: '/data.json?api_key=' + KEY }).end();
    if (path === '/to-other') return void res.writeHead(307, { location: `${other.base}/elsewhere` }).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"dataset":[]}');
  });
});
afterAll(async () => {
  await Promise.all([feed?.close(), internal?.close(), other?.close()]);
});

const opts = (policy: FetchPolicy, resolve?: Resolve) => ({ timeoutMs: 3000, maxBytes: 1e6, policy, ...(resolve ? { resolve } : {}) });
const allowFeed = (): FetchPolicy => ({ allowPrivate: false, allowHosts: [`127.0.0.1:${feed.port}`] });
const reason = (p: Promise<unknown>) => p.then(() => 'fetched', (e: unknown) => (e instanceof LoadError ? e.reason : String(e)));
const fetched = async (p: Promise<Download | typeof NOT_MODIFIED>) => {
  const d = await p;
  if (d === NOT_MODIFIED) throw new Error('unexpected 304');
  return d;
};

describe('which addresses are refused by default', () => {
  it('names private, loopback, link-local, CGNAT, unique-local and metadata addresses, in every IPv6 disguise', () => {
    const cases: Array<[string, string]> = [
      ['127.0.0.1', 'a loopback'], ['10.1.2.3', 'a private'], ['172.20.0.1', 'a private'], ['192.168.1.1', 'a private'],
      ['169.254.169.254', 'the cloud metadata'], ['169.254.10.10', 'a link-local'], ['100.64.0.1', 'a carrier-grade NAT'],
      ['100.100.100.200', 'the cloud metadata'], ['0.0.0.0', 'an unspecified'], ['::1', 'a loopback'], ['fd00:ec2::254', 'the cloud metadata'],
      ['fd12:3456::1', 'a unique-local'], ['fe80::1', 'a link-local'], ['::ffff:127.0.0.1', 'a loopback'], ['::ffff:10.0.0.1', 'a private'],
      ['64:ff9b::a9fe:a9fe', 'the cloud metadata'], ['2002:7f00:1::', 'a loopback'],
    ];
    expect(cases.map(([ip]) => [ip, blockedAddressKind(ip)])).toEqual(cases);
    for (const ip of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111']) expect(blockedAddressKind(ip), ip).toBeNull();
  });

  it('allow-list entries match by name, subdomain, port, address and range', () => {
    const p: FetchPolicy = { allowPrivate: false, allowHosts: ['feeds.internal', '*.corp.example', '127.0.0.1:8080', '10.1.0.0/16', '[::1]:81'] };
    expect(isAllowListed(p, 'feeds.internal', '443')).toBe(true);
    expect(isAllowListed(p, 'a.corp.example', '80')).toBe(true);
    expect(isAllowListed(p, 'corp.example', '80')).toBe(false);
    expect(isAllowListed(p, 'evilcorp.example', '80')).toBe(false);
    expect(isAllowListed(p, '127.0.0.1', '8080')).toBe(true);
    expect(isAllowListed(p, '127.0.0.1', '8081')).toBe(false);
    expect(isAllowListed(p, 'db.lan', '80', '10.1.2.3')).toBe(true);
    expect(isAllowListed(p, 'db.lan', '80', '10.2.0.1')).toBe(false);
    expect(isAllowListed(p, '::1', '81')).toBe(true);
  });
});

describe('fetchSource with the policy', () => {
  it('refuses a loopback feed unless it is allowed, and the feed receives nothing', async () => {
    const before = feed.seen.length;
    expect(await reason(fetchSource(`${feed.base}/data.json`, opts(STRICT_FETCH_POLICY))))
      .toBe('could not fetch: refused: 127.0.0.1 is a loopback address; to allow it, list the host in FETCH_ALLOW_HOSTS or set FETCH_ALLOW_PRIVATE=1');
    expect(feed.seen.length).toBe(before);
    // The metadata address is refused before any connection is tried.
    expect(await reason(fetchSource('http://169.254.169.254/latest/meta-data/', opts(STRICT_FETCH_POLICY)))).toMatch(/169\.254\.169\.254 is the cloud metadata address/);
  });

  it('sends user:pass@ as Basic auth and keeps the key in the request, but returns the redacted URL', async () => {
    const url = `http://feeder:${PASSWORD}@127.0.0.1:${feed.port}/data.json?api_key=${KEY}&format=json`;
    const d = await fetched(fetchSource(url, opts(allowFeed())));
    const got = feed.seen.at(-1)!;
    expect(got.path).toBe(`/data.json?api_key=${KEY}&format=json`);
    expect(got.headers.authorization).toBe(`Basic ${Buffer.from(`feeder:${PASSWORD}`).toString('base64')}`);
    expect(d.url).toBe(`${feed.base}/data.json?api_key=REDACTED&format=json`);
    expect(d.bytes.toString()).toBe('{"dataset":[]}');
  });

  it('re-checks a redirect: one to a loopback "internal" server is refused and that server receives nothing', async () => {
    const r = await reason(fetchSource(`${feed.base}/to-internal`, opts(allowFeed())));
    expect(r).toBe(`could not fetch: redirected to ${internal.base}/admin, refused: 127.0.0.1 is a loopback address; to allow it, list the host in FETCH_ALLOW_HOSTS or set FETCH_ALLOW_PRIVATE=1`);
    expect(internal.seen).toEqual([]);
  });

  it('keeps Basic auth on a same-origin redirect and drops it on a cross-origin one', async () => {
    const auth = `http://feeder:${PASSWORD}@127.0.0.1:${feed.port}`;
    const same = await fetched(fetchSource(`${auth}/to-same`, opts(allowFeed())));
    expect(same.url).toBe(`${feed.base}/data.json?api_key=REDACTED`);
    expect(feed.seen.at(-1)!.headers.authorization).toMatch(/^Basic /);
    const both: FetchPolicy = { allowPrivate: false, allowHosts: [`127.0.0.1:${feed.port}`, `127.0.0.1:${other.port}`] };
    await fetched(fetchSource(`${auth}/to-other`, opts(both)));
    expect(other.seen.at(-1)!.path).toBe('/elsewhere');
    expect(other.seen.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('FETCH_ALLOW_PRIVATE lets any address through', async () => {
    const d = await fetched(fetchSource(`${internal.base}/admin`, opts({ allowPrivate: true, allowHosts: [] })));
    expect(d.bytes.toString()).toContain('internal admin data');
  });
});

describe('host names: every resolved address is checked, and the connection uses the checked one', () => {
  const resolver = (...answers: string[][]) => {
    const calls: string[] = [];
    const resolve: Resolve = async (host) => {
      calls.push(host);
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
      return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    return { resolve, calls };
  };

  it('refuses a name that resolves to loopback, or to a public and a private address at once', async () => {
    const before = feed.seen.length;
    const loop = resolver(['127.0.0.1']);
    expect(await reason(fetchSource(`http://feed.test:${feed.port}/data.json`, opts(STRICT_FETCH_POLICY, loop.resolve))))
      .toMatch(/^could not fetch: refused: feed\.test \(127\.0\.0\.1\) is a loopback address/);
    const mixed = resolver(['198.51.100.7', '127.0.0.1']);
    expect(await reason(fetchSource(`http://feed.test:${feed.port}/data.json`, opts(STRICT_FETCH_POLICY, mixed.resolve))))
      .toMatch(/^could not fetch: refused: feed\.test \(127\.0\.0\.1\) is a loopback address/);
    expect(feed.seen.length).toBe(before);
  });

  it('connects to the address it checked: a name allowed by range reaches the loopback server with its Host header', async () => {
    const r = resolver(['127.0.0.1']);
    const d = await fetched(fetchSource(`http://feed.test:${feed.port}/data.json`, opts({ allowPrivate: false, allowHosts: ['127.0.0.0/8'] }, r.resolve)));
    expect(d.url).toBe(`http://feed.test:${feed.port}/data.json`);
    expect(feed.seen.at(-1)!.headers.host).toBe(`feed.test:${feed.port}`);
    expect(r.calls).toEqual(['feed.test']);
  });

  it('DNS rebinding: a name that answers public first and loopback afterwards is resolved once, and loopback is never reached', async () => {
    const before = feed.seen.length;
    // A check-then-fetch implementation would pass the first answer and connect with the second.
    const r = resolver(['198.51.100.7'], ['127.0.0.1']);
    const out = await reason(fetchSource(`http://rebind.test:${feed.port}/data.json`, { ...opts(STRICT_FETCH_POLICY, r.resolve), timeoutMs: 1500 }));
    // The connection went to the first (checked) answer: refused, unreachable or timed out there — never loopback.
    expect(out).toMatch(/^could not fetch: (connect E[A-Z]+ 198\.51\.100\.7:\d+|timed out after 1\.5 s)$/);
    expect(r.calls).toEqual(['rebind.test']);
    expect(feed.seen.length).toBe(before);
  });
});
