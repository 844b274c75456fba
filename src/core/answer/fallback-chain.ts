import type { GenerationPart, GenerationRequest, Generator } from '../ports/generator.js';
import { ProviderError } from '../errors.js';
import { CircuitBreaker, type Permit } from '../circuit-breaker.js';
import { abortError, abortableSleep, backoffDelay, type BackoffOptions, type Sleep } from './retry.js';
import type { AnswerFinishReason, FinishReason } from './types.js';

/**
 * The generator fallback chain: tries answer backends in order (e.g. HF Inference → Ollama → extractive)
 * with per-attempt timeouts, retries of transient failures, and a circuit breaker per backend. Pure
 * TypeScript over the Generator port, so it is tested with in-process fakes.
 *
 * A backend whose stream ends without a finish part was cut. With no text yet that is a transient failure
 * (retried, then the next backend answers); once text was shown the answer finishes as `cut`. Why not fall
 * back then too: the server closed the response on purpose (a proxy's time limit, a gateway that drops
 * `finish_reason`), so the next attempt may well end the same way, and the user keeps a readable answer marked
 * as cut rather than half an answer followed by a second one. A stream that errors mid-answer (reset socket,
 * malformed chunk, timeout) still falls back: that backend is failing.
 */

/** What the chain reports while answering. `delta`s of all backends arrive in order. */
export type ChainEvent =
  | { type: 'delta'; text: string; backend: string }
  /** `from` failed (or was skipped); `partial` says some of its text had already been streamed. */
  | { type: 'fallback'; from: string; reason: string; partial: boolean; to: string }
  /** `finishReason`: the backend's, or `cut` when its stream ended without one after some text. */
  | { type: 'done'; backend: string; fallbacks: Array<{ backend: string; reason: string }>; finishReason: AnswerFinishReason };

/** Runs a request through the backends; `status()` shows each breaker for `/docent status`. */
export interface FallbackChain {
  run(request: GenerationRequest, signal: AbortSignal): AsyncIterable<ChainEvent>;
  status(): Array<{ backend: string; state: 'closed' | 'open' | 'half-open'; failures: number; openUntil: number | null }>;
}

/** One backend in the chain with its own time limits. */
export interface ChainBackend {
  generator: Generator;
  /** From the start of an attempt to its first chunk of text, ms. */
  firstTokenTimeoutMs: number;
  /** Whole attempt, ms. */
  totalTimeoutMs: number;
  /** Extra attempts on transient errors before any token was produced. */
  retries: number;
}

/** The subset of a pino logger the chain uses. */
export interface ChainLogger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface FallbackChainOptions {
  backends: ChainBackend[];
  breaker: { failureThreshold: number; cooldownMs: number };
  backoff: BackoffOptions;
  /** Clock for the breakers, ms. */
  now?: () => number;
  /** Backoff wait; must reject when the signal aborts. */
  sleep?: Sleep;
  /** Jitter source in [0, 1); tests pin it. */
  random?: () => number;
  logger?: ChainLogger;
}

/** A per-attempt time limit fired. Timeouts count as transient: the next attempt may well be faster. */
class AttemptTimeout extends Error {
  constructor(readonly phase: 'first-token' | 'total', readonly ms: number) {
    super(phase === 'first-token' ? `timed out waiting for the first token (${formatMs(ms)})` : `timed out after ${formatMs(ms)}`);
    this.name = 'AttemptTimeout';
  }
}

/** Builds the chain. Backends must be non-empty; the last one is the last resort and is never skipped. */
export function createFallbackChain(opts: FallbackChainOptions): FallbackChain {
  if (opts.backends.length === 0) throw new Error('createFallbackChain: at least one backend is required');
  const sleep = opts.sleep ?? abortableSleep;
  const random = opts.random ?? Math.random;
  const log = opts.logger;
  const breakers = opts.backends.map(
    () => new CircuitBreaker({ ...opts.breaker, ...(opts.now ? { now: opts.now } : {}) }),
  );

  async function* run(request: GenerationRequest, signal: AbortSignal): AsyncGenerator<ChainEvent> {
    const fallbacks: Array<{ backend: string; reason: string }> = [];
    let lastError: unknown;
    for (const [i, backend] of opts.backends.entries()) {
      const id = backend.generator.id;
      const breaker = breakers[i]!;
      const next = opts.backends[i + 1]?.generator.id;
      if (signal.aborted) throw abortError(signal);
      // The last backend runs even when its circuit is open: skipping it could only turn a possible
      // answer into a certain failure. Its breaker still tracks health for status().
      const permit: Permit = breaker.acquire() ?? (next === undefined ? 'call' : null);
      if (permit === null) {
        const n = breaker.failureCount;
        const reason = `paused after ${n} ${n === 1 ? 'failure' : 'failures'}`;
        fallbacks.push({ backend: id, reason });
        log?.info({ backend: id, to: next }, 'answer backend skipped: circuit open');
        yield { type: 'fallback', from: id, reason, partial: false, to: next! };
        continue;
      }
      // A half-open trial is a probe: one attempt, so a still-dead backend costs one timeout, not several.
      const maxAttempts = permit === 'trial' ? 1 : 1 + Math.max(0, Math.floor(backend.retries));
      let settled = false;
      let tokens = 0;
      let failure: unknown;
      let attempt = 0;
      try {
        while (!settled) {
          attempt += 1;
          tokens = 0;
          try {
            let reason: FinishReason | undefined;
            for await (const part of timedStream(backend, request, signal)) {
              if (part.type === 'finish') reason = part.reason;
              else {
                tokens += 1;
                yield { type: 'delta', text: part.text, backend: id };
              }
            }
            if (reason === undefined && tokens === 0) throw new ProviderError(id, 'the stream ended without any text or a finish reason', { transient: true });
            // Some text and then a clean end: the backend answered, so its breaker records a success.
            if (reason === undefined) log?.warn({ backend: id, tokens }, 'answer stream ended without a finish reason; shown as cut');
            settled = true;
            breaker.recordSuccess();
            if (attempt > 1) log?.info({ backend: id, attempts: attempt }, 'answer backend recovered after retry');
            yield { type: 'done', backend: id, fallbacks, finishReason: reason ?? 'cut' };
            return;
          } catch (err) {
            if (signal.aborted) throw abortError(signal);
            // Text already shown to the user cannot be taken back, so a retry would duplicate it.
            if (tokens === 0 && isTransient(err) && attempt < maxAttempts) {
              const delay = backoffDelay(attempt - 1, opts.backoff, random);
              log?.debug({ backend: id, attempt, delay, err: describe(err) }, 'transient answer backend error; retrying');
              await sleep(delay, signal);
              continue;
            }
            settled = true;
            failure = err;
          }
        }
      } finally {
        // Reached without a verdict only on caller abort or when the consumer stopped iterating.
        if (!settled) breaker.release(permit);
      }
      breaker.recordFailure(permit);
      lastError = failure;
      const reason = failureReason(failure, tokens, attempt);
      fallbacks.push({ backend: id, reason });
      log?.warn({ backend: id, to: next ?? null, reason, partial: tokens > 0, err: failure }, 'answer backend failed');
      if (next !== undefined) yield { type: 'fallback', from: id, reason, partial: tokens > 0, to: next };
    }
    // Transient: every backend failing at once is an outage or overload that usually passes.
    throw new ProviderError(
      'answer',
      `all answer backends failed: ${fallbacks.map((f) => `${f.backend} (${f.reason})`).join('; ')}`,
      { transient: true, cause: lastError, hint: 'Try again in a minute.' },
    );
  }

  return {
    run,
    status: () => opts.backends.map((b, i) => ({ backend: b.generator.id, ...breakers[i]!.snapshot() })),
  };
}

/**
 * One attempt's parts, with the attempt's time limits. Each `next()` is raced against the timers and the
 * caller's abort rather than trusting the backend to honour its AbortSignal: a backend stuck in a read
 * that ignores abort must not hang the question. Empty text is dropped; a part of another shape is a bug
 * in the backend and fails the attempt. The stream stops at the `finish` part (nothing may follow it).
 */
async function* timedStream(backend: ChainBackend, request: GenerationRequest, signal: AbortSignal): AsyncGenerator<GenerationPart> {
  const { generator, firstTokenTimeoutMs, totalTimeoutMs } = backend;
  const controller = new AbortController();
  let stop!: (err: Error) => void;
  const stopped = new Promise<never>((_, reject) => {
    stop = (err) => {
      reject(err);
      controller.abort(err);
    };
  });
  stopped.catch(() => undefined);
  const onAbort = (): void => stop(abortError(signal));
  signal.addEventListener('abort', onAbort, { once: true });
  let firstTimer: NodeJS.Timeout | undefined = setTimeout(() => stop(new AttemptTimeout('first-token', firstTokenTimeoutMs)), firstTokenTimeoutMs);
  const totalTimer = setTimeout(() => stop(new AttemptTimeout('total', totalTimeoutMs)), totalTimeoutMs);
  let iterator: AsyncIterator<GenerationPart> | undefined;
  let finished = false;
  try {
    if (signal.aborted) throw abortError(signal);
    iterator = generator.stream(request, controller.signal)[Symbol.asyncIterator]();
    for (;;) {
      const pending = iterator.next();
      // If the race is lost to a timer, a later rejection of this next() must not go unhandled.
      pending.catch(() => undefined);
      const result = await Promise.race([pending, stopped]);
      if (result.done) {
        finished = true;
        return;
      }
      const part = checkPart(result.value);
      if (part.type === 'finish') {
        // Not `finished`: the finally below closes the backend's iterator, which may still hold a request.
        yield part;
        return;
      }
      if (part.text === '') continue;
      if (firstTimer !== undefined) {
        clearTimeout(firstTimer);
        firstTimer = undefined;
      }
      yield part;
    }
  } finally {
    clearTimeout(firstTimer);
    clearTimeout(totalTimer);
    signal.removeEventListener('abort', onAbort);
    if (!finished) {
      controller.abort(new DOMException('The answer attempt was abandoned.', 'AbortError'));
      // Not awaited: return() queues behind a next() that may never settle.
      const it = iterator;
      if (it?.return) void Promise.resolve().then(() => it.return!()).catch(() => undefined);
    }
  }
}

const FINISH_REASONS: ReadonlySet<unknown> = new Set<FinishReason>(['stop', 'length', 'content-filter', 'other']);

/** The part, if it has the port's shape; else the backend has a bug and the attempt fails. */
function checkPart(value: unknown): GenerationPart {
  const part = value as Partial<Record<string, unknown>> | null;
  if (part?.type === 'text' && typeof part.text === 'string') return part as GenerationPart;
  if (part?.type === 'finish' && FINISH_REASONS.has(part.reason)) return part as GenerationPart;
  const what = value === null ? 'null' : typeof value === 'object' ? `an object of type ${String(part?.type)}` : typeof value;
  throw new Error(`malformed part from the backend (expected text or finish, got ${what})`);
}

function isTransient(err: unknown): boolean {
  return err instanceof AttemptTimeout || (err instanceof ProviderError && err.transient);
}

/** The error's message without the provider prefix ProviderError adds (the event already names it). */
function describe(err: unknown): string {
  if (err instanceof ProviderError && err.message.startsWith(`${err.provider}: `)) return err.message.slice(err.provider.length + 2);
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** A short human reason for a `fallback` event and the finish info. */
function failureReason(err: unknown, tokens: number, attempts: number): string {
  if (tokens > 0) {
    const what = err instanceof AttemptTimeout ? `timed out (${formatMs(err.ms)} total)` : describe(err);
    return `stream broke after ${tokens} ${tokens === 1 ? 'token' : 'tokens'}: ${what}`;
  }
  return attempts > 1 ? `${describe(err)} (${attempts} attempts)` : describe(err);
}

/** 8000 → '8 s', 1500 → '1.5 s', 50 → '50 ms'. */
function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}
