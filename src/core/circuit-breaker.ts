/**
 * A per-backend circuit breaker. After `failureThreshold` consecutive failed calls the backend is
 * skipped for `cooldownMs`, so a dead endpoint costs users nothing instead of a first-token timeout on
 * every question. After the cooldown exactly one trial call goes through (half-open); its outcome
 * closes or re-opens the circuit. Time comes from an injected clock so tests need no real waiting.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (values below 1 are treated as 1). */
  failureThreshold: number;
  /** How long an open circuit skips the backend, ms. */
  cooldownMs: number;
  /** Clock in ms; defaults to Date.now. */
  now?: () => number;
}

/**
 * What `acquire` grants: a normal call, the single half-open trial, or nothing (the caller must skip
 * the backend). The chain passes the permit back so an abandoned trial can be handed back.
 */
export type Permit = 'call' | 'trial' | null;

/** A snapshot for status commands and logs. */
export interface BreakerStatus {
  state: BreakerState;
  failures: number;
  /** When an open circuit lets a trial through (epoch ms per the clock), else null. */
  openUntil: number | null;
}

/** Circuit breaker state machine: closed → open (after N failures) → half-open (one trial) → closed/open. */
export class CircuitBreaker {
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private failures = 0;
  private openUntil: number | null = null;
  // True while the single half-open trial is running: concurrent questions must not all pile onto a
  // backend that has just come back (or not).
  private trialInFlight = false;

  constructor(opts: CircuitBreakerOptions) {
    this.threshold = Math.max(1, Math.floor(opts.failureThreshold));
    this.cooldownMs = Math.max(0, opts.cooldownMs);
    this.now = opts.now ?? Date.now;
  }

  /** Current state; an open circuit whose cooldown has passed reads as half-open. */
  get state(): BreakerState {
    if (this.openUntil === null) return 'closed';
    if (this.trialInFlight || this.now() >= this.openUntil) return 'half-open';
    return 'open';
  }

  /** Consecutive failures so far (reset by a success). */
  get failureCount(): number {
    return this.failures;
  }

  /** Asks to call the backend. Returns null while open (or while another trial is running). */
  acquire(): Permit {
    const state = this.state;
    if (state === 'closed') return 'call';
    if (state === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return 'trial';
    }
    return null;
  }

  /** The call succeeded: close the circuit and forget earlier failures. */
  recordSuccess(): void {
    this.failures = 0;
    this.openUntil = null;
    this.trialInFlight = false;
  }

  /** The call failed: count it; open the circuit at the threshold, or re-open it after a failed trial. */
  recordFailure(permit: Permit): void {
    this.failures += 1;
    if (permit === 'trial') this.trialInFlight = false;
    if (permit === 'trial' || this.failures >= this.threshold) this.openUntil = this.now() + this.cooldownMs;
  }

  /**
   * The call ended without a verdict (the user cancelled). A trial is handed back so the next question
   * may probe; an ordinary call changes nothing, since an abort says nothing about the backend's health.
   */
  release(permit: Permit): void {
    if (permit === 'trial') this.trialInFlight = false;
  }

  /** A snapshot for `status()`. */
  snapshot(): BreakerStatus {
    const state = this.state;
    return { state, failures: this.failures, openUntil: state === 'closed' ? null : this.openUntil };
  }
}
