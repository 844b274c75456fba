/**
 * The holder lease against a Chroma that accepts connections and never answers (a stalled server, a half-open
 * connection): each call must give up within its bound, so the leased platform's renew/look loop keeps ticking
 * instead of hanging on its first call.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChromaHolderLease } from '../../src/stores/chroma-holder-lease.js';

let server: http.Server;
let url = '';
beforeAll(async () => {
  // Reads each request and never responds.
  server = http.createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('chroma holder lease', () => {
  it('a Chroma call that never answers fails within its bound', async () => {
    const lease = createChromaHolderLease({ url, key: 'test:hung', ttlMs: 3000, callTimeoutMs: 300, logger: pino({ level: 'silent' }) });
    const t0 = Date.now();
    await expect(lease.acquire()).rejects.toThrow(/did not answer within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(lease.expiresAt).toBe(0);
    // release() of a lease never held does not call Chroma, and so cannot hang either.
    await lease.release();
  });
});
