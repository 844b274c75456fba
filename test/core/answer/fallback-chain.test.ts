import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createFallbackChain, type ChainBackend, type ChainEvent, type FallbackChainOptions } from '../../../src/core/answer/fallback-chain.js';
import { abortableSleep } from '../../../src/core/answer/retry.js';
import { ProviderError } from '../../../src/core/errors.js';
import type { FinishReason } from '../../../src/core/answer/types.js';
import type { GenerationPart, GenerationRequest, Generator } from '../../../src/core/ports/generator.js';

/**
 * One step of a fake backend's script: text, a pause, a failure, a finish part, or a raw value as a part.
 * `hang` never settles and ignores abort, like a stuck socket read. A script that completes without a
 * `finish` step ends with finish `stop`, unless it has `unfinished` (the stream ends without a finish part).
 */
type Step = string | { wait: number } | { fail: Error } | 'hang' | { raw: unknown } | { finish: FinishReason } | 'unfinished';

interface Fake extends Generator {
  calls: number;
  signals: AbortSignal[];
}

/** A fake generator; call n plays scripts[n] (the last script repeats). `wait` honours abort. */
function fake(id: string, ...scripts: Step[][]): Fake {
  const g: Fake = {
    id,
    calls: 0,
    signals: [],
    stream(_request, signal) {
      const script = scripts[Math.min(g.calls, scripts.length - 1)] ?? [];
      g.calls += 1;
      g.signals.push(signal);
      return (async function* (): AsyncGenerator<GenerationPart> {
        for (const step of script) {
          if (step === 'hang') await new Promise<never>(() => undefined);
          else if (step === 'unfinished') return;
          else if (typeof step === 'string') yield { type: 'text', text: step };
          else if ('wait' in step) await abortableSleep(step.wait, signal);
          else if ('fail' in step) throw step.fail;
          else if ('finish' in step) yield { type: 'finish', reason: step.finish };
          else yield step.raw as GenerationPart;
        }
        if (!script.some((step) => typeof step === 'object' && 'finish' in step)) yield { type: 'finish', reason: 'stop' };
      })();
    },
  };
  return g;
}

const transient = (id: string, msg = 'HTTP 503 from https://api.example') => ({ fail: new ProviderError(id, msg, { transient: true }) });
const permanent = (id: string, msg = 'HTTP 401 from https://api.example') => ({ fail: new ProviderError(id, msg) });

const request: GenerationRequest = { messages: [], question: 'q?', passages: [], history: [], maxTokens: 100, temperature: 0 };

function backend(generator: Generator, over: Partial<ChainBackend> = {}): ChainBackend {
  return { generator, firstTokenTimeoutMs: 2000, totalTimeoutMs: 10_000, retries: 0, ...over };
}

/** A chain with an injected sleep (records delays, returns at once) and clock. */
function chain(backends: ChainBackend[], over: Partial<FallbackChainOptions> = {}) {
  const sleeps: number[] = [];
  const clock = { t: 1_000_000 };
  const c = createFallbackChain({
    backends,
    breaker: { failureThreshold: 3, cooldownMs: 60_000 },
    backoff: { baseMs: 100, maxMs: 250 },
    now: () => clock.t,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 1,
    ...over,
  });
  return { c, sleeps, clock };
}

async function collect(events: AsyncIterable<ChainEvent>): Promise<{ events: ChainEvent[]; error: unknown }> {
  const out: ChainEvent[] = [];
  try {
    for await (const e of events) out.push(e);
  } catch (error) {
    return { events: out, error };
  }
  return { events: out, error: undefined };
}

const text = (events: ChainEvent[]) => events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
const ofType = <T extends ChainEvent['type']>(events: ChainEvent[], type: T) =>
  events.filter((e): e is Extract<ChainEvent, { type: T }> => e.type === type);

describe('createFallbackChain', () => {
  it('streams the first backend\'s deltas in order and finishes with it', async () => {
    const a = fake('a', ['The ', '', 'answer ', 'is 42.']);
    const b = fake('b', ['unused']);
    const { events, error } = await collect(chain([backend(a), backend(b)]).c.run(request, new AbortController().signal));
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'delta', text: 'The ', backend: 'a' },
      { type: 'delta', text: 'answer ', backend: 'a' },
      { type: 'delta', text: 'is 42.', backend: 'a' },
      { type: 'done', backend: 'a', fallbacks: [], finishReason: 'stop' },
    ]);
    expect(b.calls).toBe(0);
  });

  it('falls back to the next backend on a 500 before any token', async () => {
    const a = fake('a', [transient('a', 'HTTP 500 from https://hf.example')]);
    const b = fake('b', ['from ', 'b']);
    const { events } = await collect(chain([backend(a), backend(b)]).c.run(request, new AbortController().signal));
    expect(events[0]).toEqual({ type: 'fallback', from: 'a', reason: 'HTTP 500 from https://hf.example', partial: false, to: 'b' });
    expect(text(events)).toBe('from b');
    expect(events.at(-1)).toEqual({ type: 'done', backend: 'b', fallbacks: [{ backend: 'a', reason: 'HTTP 500 from https://hf.example' }], finishReason: 'stop' });
  });

  it('retries transient errors with growing, capped backoff, then moves on', async () => {
    const a = fake('a', [transient('a')]);
    const b = fake('b', ['ok']);
    const { c, sleeps } = chain([backend(a, { retries: 3 }), backend(b)]);
    const { events } = await collect(c.run(request, new AbortController().signal));
    expect(a.calls).toBe(4);
    expect(sleeps).toEqual([100, 200, 250]);
    expect(ofType(events, 'fallback')[0]?.reason).toBe('HTTP 503 from https://api.example (4 attempts)');
    expect(text(events)).toBe('ok');
  });

  it('recovers on a retry without a fallback', async () => {
    const a = fake('a', [transient('a')], [transient('a')], ['second ', 'try']);
    const { c, sleeps } = chain([backend(a, { retries: 2 }), backend(fake('b', ['x']))]);
    const { events } = await collect(c.run(request, new AbortController().signal));
    expect(a.calls).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]!);
    expect(text(events)).toBe('second try');
    expect(events.at(-1)).toEqual({ type: 'done', backend: 'a', fallbacks: [], finishReason: 'stop' });
  });

  it('does not retry a non-transient error', async () => {
    const a = fake('a', [permanent('a')]);
    const { c, sleeps } = chain([backend(a, { retries: 3 }), backend(fake('b', ['ok']))]);
    const { events } = await collect(c.run(request, new AbortController().signal));
    expect(a.calls).toBe(1);
    expect(sleeps).toEqual([]);
    expect(ofType(events, 'fallback')).toEqual([{ type: 'fallback', from: 'a', reason: 'HTTP 401 from https://api.example', partial: false, to: 'b' }]);
  });

  it('times out waiting for the first token, aborts the attempt and retries it as transient', async () => {
    const a = fake('a', [{ wait: 30_000 }, 'late']);
    const { c, sleeps } = chain([backend(a, { firstTokenTimeoutMs: 40, retries: 1 }), backend(fake('b', ['b']))]);
    const started = Date.now();
    const { events } = await collect(c.run(request, new AbortController().signal));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(a.calls).toBe(2);
    expect(sleeps).toHaveLength(1);
    expect(a.signals.every((s) => s.aborted)).toBe(true);
    expect(ofType(events, 'fallback')[0]?.reason).toBe('timed out waiting for the first token (40 ms) (2 attempts)');
    expect(text(events)).toBe('b');
  });

  it('keeps partial text on a total timeout mid-stream, does not retry, and lets the next backend continue', async () => {
    const a = fake('a', ['Partial ', 'answer', { wait: 30_000 }, 'never']);
    const b = fake('b', ['Extractive answer.']);
    const { c } = chain([backend(a, { firstTokenTimeoutMs: 5000, totalTimeoutMs: 80, retries: 2 }), backend(b)]);
    const { events, error } = await collect(c.run(request, new AbortController().signal));
    expect(error).toBeUndefined();
    expect(a.calls).toBe(1);
    expect(a.signals[0]!.aborted).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['delta', 'delta', 'fallback', 'delta', 'done']);
    expect(ofType(events, 'fallback')[0]).toEqual({
      type: 'fallback', from: 'a', reason: 'stream broke after 2 tokens: timed out (80 ms total)', partial: true, to: 'b',
    });
    expect(text(events)).toBe('Partial answerExtractive answer.');
  });

  it('does not hang on a backend that never yields and ignores abort', async () => {
    const a = fake('a', ['hang']);
    const { c } = chain([backend(a, { firstTokenTimeoutMs: 40 }), backend(fake('b', ['b']))]);
    const { events } = await collect(c.run(request, new AbortController().signal));
    expect(ofType(events, 'fallback')[0]?.reason).toBe('timed out waiting for the first token (40 ms)');
    expect(text(events)).toBe('b');
  });

  it('does not hang on a backend that stalls mid-stream and ignores abort', async () => {
    const a = fake('a', ['one ', 'hang']);
    const { c } = chain([backend(a, { totalTimeoutMs: 60 }), backend(fake('b', ['b']))]);
    const { events } = await collect(c.run(request, new AbortController().signal));
    expect(ofType(events, 'fallback')[0]).toMatchObject({ partial: true, reason: 'stream broke after 1 token: timed out (60 ms total)' });
    expect(text(events)).toBe('one b');
  });

  it('finishes with the backend\'s finish reason and stops reading at the finish part', async () => {
    const a = fake('a', ['Cut at ', 'the limit', { finish: 'length' }, 'never read']);
    const { c } = chain([backend(a), backend(fake('b', ['b']))]);
    const { events, error } = await collect(c.run(request, new AbortController().signal));
    expect(error).toBeUndefined();
    expect(text(events)).toBe('Cut at the limit');
    expect(events.at(-1)).toEqual({ type: 'done', backend: 'a', fallbacks: [], finishReason: 'length' });
    // Finishing at the token limit is the backend working as asked.
    expect(c.status()[0]).toMatchObject({ state: 'closed', failures: 0 });
  });

  it('finishes as cut when a stream with text ends without a finish part: no retry, no fallback', async () => {
    const a = fake('a', ['Half an ', 'answer', 'unfinished']);
    const b = fake('b', ['b']);
    const { c } = chain([backend(a, { retries: 2 }), backend(b)]);
    const { events } = await collect(c.run(request, new AbortController().signal));
    expect(events.map((e) => e.type)).toEqual(['delta', 'delta', 'done']);
    expect(text(events)).toBe('Half an answer');
    expect(events.at(-1)).toEqual({ type: 'done', backend: 'a', fallbacks: [], finishReason: 'cut' });
    expect([a.calls, b.calls]).toEqual([1, 0]);
  });

  it('treats a stream that ends with neither text nor a finish part as a transient failure: retried, then falls back', async () => {
    const a = fake('a', ['unfinished']);
    const b = fake('b', ['from b']);
    const { c, sleeps } = chain([backend(a, { retries: 1 }), backend(b)]);
    const { events } = await collect(c.run(request, new AbortController().signal));
    expect(a.calls).toBe(2);
    expect(sleeps).toHaveLength(1);
    expect(ofType(events, 'fallback')).toEqual([
      { type: 'fallback', from: 'a', reason: 'the stream ended without any text or a finish reason (2 attempts)', partial: false, to: 'b' },
    ]);
    expect(text(events)).toBe('from b');
    expect(events.at(-1)).toMatchObject({ type: 'done', backend: 'b', finishReason: 'stop' });
  });

  it('falls back with partial: true on a malformed chunk mid-stream (thrown or non-text)', async () => {
    const thrown = fake('a', ['ok ', { fail: new ProviderError('a', 'malformed JSON in stream chunk', { transient: true }) }]);
    const run1 = await collect(chain([backend(thrown, { retries: 2 }), backend(fake('b', ['b']))]).c.run(request, new AbortController().signal));
    expect(thrown.calls).toBe(1);
    expect(ofType(run1.events, 'fallback')[0]).toMatchObject({ partial: true, reason: 'stream broke after 1 token: malformed JSON in stream chunk' });
    expect(text(run1.events)).toBe('ok b');

    // A bare string (the old port), an OpenAI chunk passed through, and a finish with an unknown reason.
    const cases: Array<[unknown, string]> = [['ok', 'string'], [{ choices: [] }, 'an object of type undefined'], [{ type: 'finish', reason: 'done' }, 'an object of type finish']];
    for (const [raw, got] of cases) {
      const nonPart = fake('a', ['ok ', { raw }]);
      const run2 = await collect(chain([backend(nonPart), backend(fake('b', ['b']))]).c.run(request, new AbortController().signal));
      expect(ofType(run2.events, 'fallback')[0]?.reason).toBe(`stream broke after 1 token: malformed part from the backend (expected text or finish, got ${got})`);
      expect(text(run2.events)).toBe('ok b');
    }
  });

  it('opens the breaker after N failures, skips while open, and a successful half-open trial closes it', async () => {
    const a = fake('a', [permanent('a')], [permanent('a')], [permanent('a')], ['back ', 'again']);
    const b = fake('b', ['b']);
    const { c, clock } = chain([backend(a, { retries: 2 }), backend(b)]);
    const signal = new AbortController().signal;
    for (let i = 0; i < 3; i++) await collect(c.run(request, signal));
    expect(a.calls).toBe(3);
    expect(c.status()[0]).toEqual({ backend: 'a', state: 'open', failures: 3, openUntil: clock.t + 60_000 });

    const skipped = await collect(c.run(request, signal));
    expect(a.calls).toBe(3);
    expect(skipped.events[0]).toEqual({ type: 'fallback', from: 'a', reason: 'paused after 3 failures', partial: false, to: 'b' });
    expect(skipped.events.at(-1)).toEqual({ type: 'done', backend: 'b', fallbacks: [{ backend: 'a', reason: 'paused after 3 failures' }], finishReason: 'stop' });

    clock.t += 60_000;
    expect(c.status()[0]?.state).toBe('half-open');
    const trial = await collect(c.run(request, signal));
    expect(a.calls).toBe(4);
    expect(text(trial.events)).toBe('back again');
    expect(c.status()[0]).toEqual({ backend: 'a', state: 'closed', failures: 0, openUntil: null });
  });

  it('re-opens the breaker when the half-open trial fails, with a single attempt for the trial', async () => {
    const a = fake('a', [transient('a')]);
    const { c, clock, sleeps } = chain([backend(a, { retries: 1 }), backend(fake('b', ['b']))], { breaker: { failureThreshold: 2, cooldownMs: 1000 } });
    const signal = new AbortController().signal;
    await collect(c.run(request, signal));
    await collect(c.run(request, signal));
    expect(a.calls).toBe(4);
    expect(c.status()[0]?.state).toBe('open');

    clock.t += 1000;
    sleeps.length = 0;
    const trial = await collect(c.run(request, signal));
    expect(a.calls).toBe(5);
    expect(sleeps).toEqual([]);
    expect(ofType(trial.events, 'fallback')[0]?.reason).toBe('HTTP 503 from https://api.example');
    expect(c.status()[0]).toEqual({ backend: 'a', state: 'open', failures: 3, openUntil: clock.t + 1000 });
    await collect(c.run(request, signal));
    expect(a.calls).toBe(5);
  });

  it('stops promptly on caller abort mid-stream, without fallback events', async () => {
    const a = fake('a', ['first ', 'hang']);
    const b = fake('b', ['b']);
    const { c } = chain([backend(a, { totalTimeoutMs: 30_000 }), backend(b)]);
    const ac = new AbortController();
    const events: ChainEvent[] = [];
    const started = Date.now();
    const run = (async () => {
      for await (const e of c.run(request, ac.signal)) {
        events.push(e);
        if (e.type === 'delta') setTimeout(() => ac.abort(), 10);
      }
    })();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(events.map((e) => e.type)).toEqual(['delta']);
    expect(b.calls).toBe(0);
    expect(a.signals[0]!.aborted).toBe(true);
    // An abort says nothing about the backend's health.
    expect(c.status()[0]).toMatchObject({ state: 'closed', failures: 0 });
  });

  it('stops on caller abort during a backoff wait', async () => {
    const ac = new AbortController();
    const a = fake('a', [transient('a')]);
    const b = fake('b', ['b']);
    const { c } = chain([backend(a, { retries: 3 }), backend(b)], {
      sleep: (ms, signal) => {
        ac.abort();
        return abortableSleep(ms, signal);
      },
    });
    const { events, error } = await collect(c.run(request, ac.signal));
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(events).toEqual([]);
    expect(a.calls).toBe(1);
    expect(b.calls).toBe(0);
  });

  it('aborts the backend when the consumer stops iterating', async () => {
    const a = fake('a', ['one ', { wait: 30_000 }, 'two']);
    const { c } = chain([backend(a), backend(fake('b', ['b']))]);
    for await (const e of c.run(request, new AbortController().signal)) if (e.type === 'delta') break;
    expect(a.signals[0]!.aborted).toBe(true);
  });

  it('throws a ProviderError naming every failure when all backends fail; the last is never skipped', async () => {
    const a = fake('a', [permanent('a', 'HTTP 500 from https://hf.example')]);
    const b = fake('b', ['half ', { fail: new Error('socket hang up') }]);
    const { c } = chain([backend(a), backend(b)], { breaker: { failureThreshold: 1, cooldownMs: 60_000 }, logger: pino({ level: 'silent' }) });
    const { events, error } = await collect(c.run(request, new AbortController().signal));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toBe(
      'answer: all answer backends failed: a (HTTP 500 from https://hf.example); b (stream broke after 1 token: socket hang up)',
    );
    expect(events.map((e) => e.type)).toEqual(['fallback', 'delta']);

    // Both breakers are now open; a is skipped but b, the last resort, is still tried.
    expect(c.status().map((s) => s.state)).toEqual(['open', 'open']);
    const again = await collect(c.run(request, new AbortController().signal));
    expect(a.calls).toBe(1);
    expect(b.calls).toBe(2);
    expect(again.events[0]).toMatchObject({ type: 'fallback', reason: 'paused after 1 failure' });
  });
});
