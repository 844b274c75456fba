/**
 * The leased platform's loop with an in-memory lease: the holder serves and renews, a standby looks and takes
 * over once the holder stops renewing, a holder that cannot renew in time stops serving, stop() releases.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLeasedPlatform, type PlatformLease } from '../../src/runtime/leased-platform.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logger = pino({ level: 'silent' });

/** One record shared by the leases of several "replicas", as the Chroma collection is. */
function memoryLeases(ttlMs: number) {
  const record = { holder: '', expiresAt: 0 };
  const lease = (holder: string): PlatformLease & { frozen: boolean } => {
    let mine = 0;
    return {
      holder, frozen: false,
      get expiresAt() {
        return record.holder === holder ? mine : 0;
      },
      async acquire() {
        if (record.holder === holder) return this.renew();
        if (record.expiresAt > Date.now()) return false;
        Object.assign(record, { holder, expiresAt: (mine = Date.now() + ttlMs) });
        return true;
      },
      async renew() {
        if (this.frozen) throw new Error('store unreachable');
        if (record.holder !== holder) return false;
        record.expiresAt = mine = Date.now() + ttlMs;
        return true;
      },
      async release() {
        if (record.holder === holder) record.expiresAt = 0;
      },
    };
  };
  return { record, lease };
}

function replica(name: string, lease: PlatformLease, ttlMs: number, log: string[]) {
  return createLeasedPlatform({
    name, lease, ttlMs, logger,
    session: () => ({ start: async () => void log.push(`${name} up`), stop: async () => void log.push(`${name} down`) }),
  });
}

describe('leased platform', () => {
  it('one replica serves; the standby takes over when the holder stops renewing', async () => {
    const ttl = 600;
    const m = memoryLeases(ttl);
    const log: string[] = [];
    const la = m.lease('a');
    const a = replica('a', la, ttl, log);
    const b = replica('b', m.lease('b'), ttl, log);
    expect(await a.start()).toBe('connected');
    expect(await b.start()).toBe('standby');
    await sleep(3 * ttl);
    expect(log).toEqual(['a up']);
    // The holder's store calls fail (partitioned): it stops serving at its expiry, and b takes over.
    la.frozen = true;
    await sleep(3 * ttl);
    expect(log).toEqual(['a up', 'a down', 'b up']);
    expect(b.holding).toBe(true);
    await a.stop();
    await b.stop();
    expect(m.record.expiresAt).toBe(0);
  });
});
