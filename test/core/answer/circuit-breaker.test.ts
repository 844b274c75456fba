import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../src/core/circuit-breaker.js';
import { backoffDelay } from '../../../src/core/answer/retry.js';

function breaker(threshold = 3, cooldownMs = 1000) {
  const clock = { t: 10_000 };
  const b = new CircuitBreaker({ failureThreshold: threshold, cooldownMs, now: () => clock.t });
  return { b, clock };
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold and a success resets the count', () => {
    const { b } = breaker(3);
    b.recordFailure(b.acquire());
    b.recordFailure(b.acquire());
    expect(b.snapshot()).toEqual({ state: 'closed', failures: 2, openUntil: null });
    b.recordSuccess();
    b.recordFailure(b.acquire());
    b.recordFailure(b.acquire());
    expect(b.state).toBe('closed');
    expect(b.acquire()).toBe('call');
  });

  it('opens after N consecutive failures and refuses calls until the cooldown ends', () => {
    const { b, clock } = breaker(3, 1000);
    for (let i = 0; i < 3; i++) b.recordFailure(b.acquire());
    expect(b.snapshot()).toEqual({ state: 'open', failures: 3, openUntil: 11_000 });
    expect(b.acquire()).toBeNull();
    clock.t = 10_999;
    expect(b.acquire()).toBeNull();
    clock.t = 11_000;
    expect(b.state).toBe('half-open');
  });

  it('lets exactly one trial through when half-open; success closes', () => {
    const { b, clock } = breaker(1, 500);
    b.recordFailure(b.acquire());
    clock.t += 500;
    expect(b.acquire()).toBe('trial');
    // A concurrent question must not pile onto the backend while the probe runs.
    expect(b.acquire()).toBeNull();
    b.recordSuccess();
    expect(b.snapshot()).toEqual({ state: 'closed', failures: 0, openUntil: null });
    expect(b.acquire()).toBe('call');
  });

  it('re-opens for a full cooldown when the trial fails', () => {
    const { b, clock } = breaker(2, 500);
    b.recordFailure(b.acquire());
    b.recordFailure(b.acquire());
    clock.t += 600;
    const permit = b.acquire();
    expect(permit).toBe('trial');
    b.recordFailure(permit);
    expect(b.snapshot()).toEqual({ state: 'open', failures: 3, openUntil: clock.t + 500 });
    expect(b.acquire()).toBeNull();
  });

  it('hands an abandoned trial back so the next call can probe', () => {
    const { b, clock } = breaker(1, 100);
    b.recordFailure(b.acquire());
    clock.t += 100;
    const permit = b.acquire();
    expect(permit).toBe('trial');
    b.release(permit);
    expect(b.acquire()).toBe('trial');
  });
});

describe('backoffDelay', () => {
  it('doubles from base and is capped at max', () => {
    const opts = { baseMs: 100, maxMs: 700 };
    expect([0, 1, 2, 3, 4].map((r) => backoffDelay(r, opts, () => 1))).toEqual([100, 200, 400, 700, 700]);
    expect([0, 1, 2, 3].map((r) => backoffDelay(r, opts, () => 0))).toEqual([50, 100, 200, 350]);
    expect(backoffDelay(5000, opts, () => 1)).toBe(700);
  });

  it('with real jitter, never shrinks below the cap and never exceeds it', () => {
    const opts = { baseMs: 100, maxMs: 800 };
    for (let trial = 0; trial < 200; trial++) {
      const delays = [0, 1, 2, 3].map((r) => backoffDelay(r, opts));
      for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
      for (const r of [4, 5, 6]) expect(backoffDelay(r, opts)).toBeGreaterThanOrEqual(400);
      for (const r of [4, 5, 6]) expect(backoffDelay(r, opts)).toBeLessThanOrEqual(800);
    }
  });
});
