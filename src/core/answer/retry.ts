/**
 * Retry helpers for the generator fallback chain: exponential backoff with jitter, and a sleep that a
 * caller's abort cuts short. Pure TypeScript; no timers leak past an abort.
 */

/** Backoff bounds: the first retry waits about `baseMs`, doubling per retry, never more than `maxMs`. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** Waits `ms`, or rejects with the abort reason as soon as `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/**
 * Delay before retry number `retry` (0 for the first retry). Uses "equal jitter": half of the capped
 * exponential step is fixed and half is random. Full jitter would spread load a little better, but it
 * can retry almost at once after a long wait; with equal jitter, until the cap is reached, each retry
 * waits at least as long as the previous one could have (the ranges [e/2, e] and [e, 2e] only touch),
 * while concurrent questions hitting the same 429 still spread out. At the cap, delays stay in
 * [maxMs/2, maxMs].
 */
export function backoffDelay(retry: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.max(0, opts.baseMs);
  const cap = Math.max(base, opts.maxMs);
  // 2 ** retry overflows to Infinity for absurd retry counts; Math.min folds that back to the cap.
  const step = Math.min(cap, base * 2 ** Math.max(0, retry));
  const jitter = Math.min(1, Math.max(0, random()));
  return Math.round(step / 2 + (step / 2) * jitter);
}

/** The error an aborted signal stands for: its own reason when that is an Error, else a DOMException. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted.', 'AbortError');
}

/** Default {@link Sleep}: a real timer, cleared on abort so an abandoned question holds no timer. */
export const abortableSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal.addEventListener('abort', onAbort, { once: true });
  });
