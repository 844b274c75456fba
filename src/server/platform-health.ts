/**
 * Each chat platform's connection state, for `/readyz` and the start-up log. Platforms start and fail
 * independently (Discord refusing a token must not keep Slack or the web chat down), so readiness reports each
 * one by name instead of one yes/no for "the platforms".
 *
 * - `starting`: logging in; `connected`: serving; `reconnecting`: the connection dropped and the client is
 *   getting it back (answers wait); `failed`: it will not come back without an operator (bad token, a refused
 *   login), with the reason; `standby`: another replica holds this platform's one connection (a Discord
 *   gateway lease, see src/runtime/leased-platform.ts) and this one takes over if that one dies — ready.
 */
export type PlatformState = 'starting' | 'connected' | 'reconnecting' | 'failed' | 'standby';

export interface PlatformStatus {
  state: PlatformState;
  /** Why it is not connected (one line, no secrets). */
  reason?: string;
}

/** A reporter one adapter gets: it tells its state changes and nothing else. */
export type PlatformReporter = (state: PlatformState, reason?: string) => void;

export class PlatformHealth {
  private readonly states = new Map<string, PlatformStatus>();

  /** Registers a configured platform (as `starting`) and returns its reporter. */
  track(name: string): PlatformReporter {
    this.states.set(name, { state: 'starting' });
    return (state, reason) => this.states.set(name, reason ? { state, reason } : { state });
  }

  /** Every configured platform's state, by name. */
  snapshot(): Record<string, PlatformStatus> {
    return Object.fromEntries(this.states);
  }
}

/** The readiness check value of one platform: `true` when connected, else its state and reason. */
export function platformCheck(s: PlatformStatus): true | string {
  if (s.state === 'connected' || s.state === 'standby') return true;
  return s.reason ? `${s.state}: ${s.reason}` : s.state;
}
