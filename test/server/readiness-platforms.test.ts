/**
 * `/readyz` per platform: each configured chat platform is a check of its own — true when connected, its state
 * and reason otherwise — and any platform not connected makes the replica not ready.
 */
import { describe, expect, it } from 'vitest';
import { readinessCheck } from '../../src/server/readiness.js';
import { PlatformHealth } from '../../src/server/platform-health.js';

const runtime = { indexLoaded: () => true, pingVectorStore: async () => [] };

describe('readiness with chat platforms', () => {
  it('reports each platform and is ready only when all are connected', async () => {
    const health = new PlatformHealth();
    const discord = health.track('Discord');
    const slack = health.track('Slack');
    const ready = readinessCheck(runtime, { platforms: () => health.snapshot() });

    expect(await ready()).toEqual({ ok: false, checks: { index: true, chroma: true, discord: 'starting', slack: 'starting' } });
    discord('connected');
    slack('failed', 'invalid_auth');
    expect(await ready()).toEqual({ ok: false, checks: { index: true, chroma: true, discord: true, slack: 'failed: invalid_auth' } });
    slack('connected');
    discord('reconnecting', 'gateway closed with code 1006');
    expect((await ready()).checks['discord']).toBe('reconnecting: gateway closed with code 1006');
    discord('connected');
    expect(await ready()).toEqual({ ok: true, checks: { index: true, chroma: true, discord: true, slack: true } });
  });

  it('has no platform checks when none is configured', async () => {
    expect(await readinessCheck(runtime)()).toEqual({ ok: true, checks: { index: true, chroma: true } });
  });
});
