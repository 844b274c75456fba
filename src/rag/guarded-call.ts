import { CircuitBreaker } from '../core/circuit-breaker.js';
import type { Degradation } from '../core/types.js';

/**
 * Runs an optional part of retrieval (the vector list, the reranker) so that its failure degrades the search
 * instead of failing it: the error becomes a Degradation and the caller goes on without that part. A circuit
 * breaker stops paying a dead dependency's timeout on every question — after `failures` in a row the part is
 * skipped for `cooldownMs`, then one trial call decides.
 */
export class GuardedPart {
  private readonly breaker: CircuitBreaker;

  constructor(
    readonly part: Degradation['part'],
    opts: { failures: number; cooldownMs: number; now?: () => number },
  ) {
    this.breaker = new CircuitBreaker({ failureThreshold: opts.failures, cooldownMs: opts.cooldownMs, ...(opts.now ? { now: opts.now } : {}) });
  }

  /** The part's result, or a Degradation saying why there is none. */
  async run<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; degradation: Degradation }> {
    const permit = this.breaker.acquire();
    if (permit === null) {
      const until = this.breaker.snapshot().openUntil;
      const secs = until === null ? 0 : Math.max(1, Math.ceil((until - Date.now()) / 1000));
      return { ok: false, degradation: { part: this.part, reason: `skipped after repeated failures; retried in ${secs} s` } };
    }
    try {
      const value = await fn();
      this.breaker.recordSuccess();
      return { ok: true, value };
    } catch (err) {
      this.breaker.recordFailure(permit);
      return { ok: false, degradation: { part: this.part, reason: oneLine(err) } };
    }
  }
}

function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s+/g, ' ').trim().slice(0, 200) || 'failed';
}
