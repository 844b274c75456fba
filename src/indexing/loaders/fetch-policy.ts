/**
 * Which addresses a source URL may be fetched from. A source list (or a feed's redirect) is input that an
 * admin, a chat command or a compromised feed can steer; without a policy, "index this URL" reads the cloud
 * metadata service or an internal admin page and quotes it back in chat with the internal URL as its citation.
 *
 * Private, loopback, link-local, carrier-grade NAT, unique-local IPv6, multicast and metadata addresses are
 * refused unless FETCH_ALLOW_PRIVATE=1 or the host is listed in FETCH_ALLOW_HOSTS. Host names are checked
 * after resolution, inside the connection's own lookup (see `guardedLookup`), so DNS rebinding cannot swap the
 * address between the check and the connect.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { BlockList, isIP } from 'node:net';

export interface FetchPolicy {
  /** FETCH_ALLOW_PRIVATE: any address may be fetched (a trusted network, a test). */
  allowPrivate: boolean;
  /** FETCH_ALLOW_HOSTS: "host", "*.example.org", "host:port", an IP address (with or without port) or a CIDR range. */
  allowHosts: readonly string[];
}

export const STRICT_FETCH_POLICY: FetchPolicy = Object.freeze({ allowPrivate: false, allowHosts: Object.freeze([] as string[]) });

/** The loader section of the config, as far as fetching goes. */
export function fetchPolicyFromConfig(loader: { fetchAllowPrivate: boolean; fetchAllowHosts: string[] }): FetchPolicy {
  return { allowPrivate: loader.fetchAllowPrivate, allowHosts: loader.fetchAllowHosts };
}

/** Resolves a host name to every address it has (dns.lookup by default; a test passes its own). */
export type Resolve = (hostname: string) => Promise<Array<{ address: string; family: number }>>;
export const systemResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * The policy for fetches made while `fn` runs. Loaders are reached through sources.ts, whose fetch call takes
 * only limits; the policy set by the indexing run (from config) travels with the async context instead, and
 * a fetch outside any run gets the strict policy, never an open one.
 */
const ambient = new AsyncLocalStorage<FetchPolicy>();
export function withFetchPolicy<T>(policy: FetchPolicy, fn: () => Promise<T>): Promise<T> {
  return ambient.run(policy, fn);
}
export function currentFetchPolicy(): FetchPolicy {
  return ambient.getStore() ?? STRICT_FETCH_POLICY;
}

const METADATA = new BlockList();
// AWS, GCP, Azure, Oracle and OpenStack (169.254.169.254), AWS IPv6 IMDS, ECS task credentials, Alibaba Cloud.
METADATA.addAddress('169.254.169.254', 'ipv4');
METADATA.addAddress('169.254.170.2', 'ipv4');
METADATA.addAddress('100.100.100.200', 'ipv4');
METADATA.addAddress('fd00:ec2::254', 'ipv6');

const RANGES: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'an unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'a private'],
  ['100.64.0.0', 10, 'ipv4', 'a carrier-grade NAT'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local'],
  ['172.16.0.0', 12, 'ipv4', 'a private'],
  ['192.0.0.0', 24, 'ipv4', 'a reserved'],
  ['192.168.0.0', 16, 'ipv4', 'a private'],
  ['198.18.0.0', 15, 'ipv4', 'a reserved'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved'],
  ['::', 128, 'ipv6', 'an unspecified'],
  ['::1', 128, 'ipv6', 'a loopback'],
  ['100::', 64, 'ipv6', 'a reserved'],
  ['fc00::', 7, 'ipv6', 'a unique-local'],
  ['fe80::', 10, 'ipv6', 'a link-local'],
  ['fec0::', 10, 'ipv6', 'a site-local'],
  ['ff00::', 8, 'ipv6', 'a multicast'],
];
// One list per range so the refusal can say which kind of address it was.
const BLOCKED = RANGES.map(([net, prefix, type, kind]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, type);
  return { list, kind };
});

/** The eight 16-bit groups of an IPv6 address (with or without "::" and a trailing dotted quad). */
function ipv6Groups(ip: string): number[] {
  let s = ip.toLowerCase().split('%')[0]!;
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  return [...h, ...Array<string>(fill).fill('0'), ...t].map((g) => parseInt(g, 16));
}

/** The IPv4 address a NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address leads to; mapped ones BlockList handles. */
function embeddedIpv4(ip: string): string | null {
  const g = ipv6Groups(ip);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  return null;
}

/**
 * Why an address may not be fetched by default ("a loopback", "the cloud metadata"), or null for a public one.
 * IPv4-mapped, NAT64 and 6to4 IPv6 forms are judged by the IPv4 address inside them.
 */
export function blockedAddressKind(ip: string): string | null {
  const family = isIP(ip);
  if (family === 0) return 'an invalid';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (METADATA.check(ip, type)) return 'the cloud metadata';
  for (const { list, kind } of BLOCKED) if (list.check(ip, type)) return kind;
  const inner = family === 6 ? embeddedIpv4(ip) : null;
  return inner ? blockedAddressKind(inner) : null;
}

interface AllowRule {
  host?: string;
  /** "*.example.org" → "example.org": any subdomain (not the bare domain, which needs its own entry). */
  suffix?: string;
  net?: BlockList;
  port?: string;
}

function parseRule(entry: string): AllowRule | null {
  const e = entry.trim().toLowerCase();
  const cidr = /^\[?([0-9a-f:.]+)\]?\/(\d{1,3})$/.exec(e);
  if (cidr && isIP(cidr[1]!)) {
    const net = new BlockList();
    net.addSubnet(cidr[1]!, Number(cidr[2]), isIP(cidr[1]!) === 4 ? 'ipv4' : 'ipv6');
    return { net };
  }
  if (isIP(e)) return { host: e };
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d+))?$/.exec(e);
  if (bracketed && isIP(bracketed[1]!)) return { host: bracketed[1]!, ...(bracketed[2] ? { port: bracketed[2] } : {}) };
  const named = /^(\*\.)?([a-z0-9_.-]+?)\.?(?::(\d+))?$/.exec(e);
  if (!named) return null;
  return { ...(named[1] ? { suffix: named[2]! } : { host: named[2]! }), ...(named[3] ? { port: named[3] } : {}) };
}

/** A URL's host name without IPv6 brackets or a trailing dot, and its effective port. */
export function hostAndPort(url: URL): { host: string; port: string } {
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  return { host, port: url.port || (url.protocol === 'https:' ? '443' : '80') };
}

/** Whether FETCH_ALLOW_HOSTS lists this host (by name, by subdomain, by address or range; with its port if given). */
export function isAllowListed(policy: FetchPolicy, host: string, port: string, address?: string): boolean {
  return policy.allowHosts.some((entry) => {
    const r = parseRule(entry);
    if (!r || (r.port && r.port !== port)) return false;
    if (r.host && (r.host === host || r.host === address)) return true;
    if (r.suffix && host.endsWith(`.${r.suffix}`)) return true;
    const target = address ?? (isIP(host) ? host : undefined);
    return !!(r.net && target && r.net.check(target, isIP(target) === 4 ? 'ipv4' : 'ipv6'));
  });
}

/** A fetch the policy refuses; its message is the skip reason's tail. */
export class FetchRefusedError extends Error {
  override name = 'FetchRefusedError';
}

function refusal(host: string, kind: string, address: string): FetchRefusedError {
  const shown = host === address ? host : `${host} (${address})`;
  return new FetchRefusedError(`refused: ${shown} is ${kind} address; to allow it, list the host in FETCH_ALLOW_HOSTS or set FETCH_ALLOW_PRIVATE=1`);
}

/**
 * How a request to `url` may connect. Throws FetchRefusedError for a refused IP literal (no lookup happens for
 * those). For a host name, returns a `lookup` to give the connection: it resolves every address once, refuses
 * if any is not allowed, and hands exactly those checked addresses to the socket — there is no second
 * resolution a rebinding DNS server could answer differently. Undefined: no restriction applies.
 */
export function connectionGuard(url: URL, policy: FetchPolicy, resolve: Resolve = systemResolve): LookupFunction | undefined {
  if (policy.allowPrivate) return undefined;
  const { host, port } = hostAndPort(url);
  if (isIP(host)) {
    const kind = blockedAddressKind(host);
    if (kind && !isAllowListed(policy, host, port)) throw refusal(host, kind, host);
    return undefined;
  }
  if (isAllowListed(policy, host, port)) return undefined;
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const wanted = options.family === 4 || options.family === 6 ? found.filter((a) => a.family === options.family) : found;
        // Any bad answer refuses the host: a name with one public and one internal address is a rebinding setup.
        for (const a of found) {
          const kind = blockedAddressKind(a.address);
          if (kind && !isAllowListed(policy, host, port, a.address)) return callback(refusal(host, kind, a.address), '', 0);
        }
        if (wanted.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return (callback as unknown as (e: null, a: typeof wanted) => void)(null, wanted);
        return callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}
