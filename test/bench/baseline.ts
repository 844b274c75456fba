/**
 * Baselines measured in the same run as the figures they sit beside, so a reader can tell our overhead from
 * the machine's speed: a bare HTTP round trip on loopback (what any chat adapter pays at least per request)
 * and a bare Node process start (what any cold start pays at least).
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Round-trip times (ms) of `n` small POSTs to a bare node:http server on 127.0.0.1, after a warm-up. */
export async function loopbackRoundTrips(n: number): Promise<number[]> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const one = async () => {
    const t0 = performance.now();
    const res = await fetch(url, { method: 'POST', body: '{"type":"ping"}', headers: { 'content-type': 'application/json' } });
    await res.text();
    return performance.now() - t0;
  };
  try {
    for (let i = 0; i < 20; i++) await one();
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(await one());
    return out;
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

/** Wall time (ms) of `node -e ""`: the least any Node process start costs on this machine now. */
export function bareNodeStartMs(): number {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return performance.now() - t0;
}
