/**
 * The behaviour every LLM chat generator shares, run with its real client against a loopback fake that
 * speaks its wire protocol: streaming order, what the request carries, HTTP failures, a cut or malformed
 * stream, a silent server, abort, an early stop by the consumer, and an unreachable host.
 */
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/core/errors.js';
import type { GenerationRequest, Generator } from '../../../src/providers/generators/generator.js';
import { script, type ChatStage } from '../../fakes/chat-script.js';
import { deadUrl } from '../../fakes/route-server.js';

export const REQUEST: GenerationRequest = {
  messages: [
    { role: 'system', content: 'Answer only from the numbered passages. Cite them as [n].' },
    { role: 'user', content: 'Which datasets cover flood zones?' },
  ],
  question: 'Which datasets cover flood zones?',
  passages: [],
  history: [],
  maxTokens: 321,
  temperature: 0.2,
};

/** Consumes a generator, keeping the deltas it yielded before failing (if it failed). */
export async function collect(gen: Generator, signal = new AbortController().signal, onDelta?: (d: string, i: number) => void) {
  const deltas: string[] = [];
  try {
    for await (const d of gen.stream(REQUEST, signal)) {
      deltas.push(d);
      onDelta?.(d, deltas.length - 1);
    }
    return { deltas, error: undefined };
  } catch (e) {
    return { deltas, error: e };
  }
}

function providerError(e: unknown): ProviderError {
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

export interface ContractSetup {
  /** The running fake (recreated per test by the caller's hooks). */
  fake(): { chat: ChatStage };
  /** A generator pointed at the fake; `idleTimeoutMs` for the stall test. */
  make(opts?: { idleTimeoutMs?: number }): Generator;
  /** A generator pointed at a URL nobody listens on. */
  makeUnreachable(url: string): Generator;
  /** The Authorization header the fake should see. */
  authorization: string | undefined;
  /** The hint expected on 401. */
  authHint: RegExp;
}

const TOKENS = ['The', ' flood', ' zone', ' maps', ' are', ' in', ' [1]', '.'];

/** Registers the shared contract tests. */
export function chatGeneratorContract(name: string, s: ContractSetup): void {
  describe(`${name}: chat generator contract`, () => {
    it('streams every delta in order and sends messages, model, max tokens, temperature and the key', async () => {
      s.fake().chat.enqueue(script({ tokens: TOKENS, delayMs: 5 }));
      const gen = s.make();
      const { deltas, error } = await collect(gen);
      expect(error).toBeUndefined();
      expect(deltas).toEqual(TOKENS);
      expect(deltas.join('')).toBe(TOKENS.join(''));
      const [req] = s.fake().chat.requests;
      expect(req).toMatchObject({ messages: REQUEST.messages, maxTokens: 321, temperature: 0.2, stream: true });
      expect(typeof req!.model).toBe('string');
      expect(req!.authorization).toBe(s.authorization);
      expect(s.fake().chat.tokenTimes.map((t) => t.text)).toEqual(TOKENS);
    });

    it('serves successive requests from successive scripts', async () => {
      s.fake().chat.enqueue(script({ tokens: ['one'] }), script({ tokens: ['two', '!'] }));
      const gen = s.make();
      expect((await collect(gen)).deltas).toEqual(['one']);
      expect((await collect(gen)).deltas).toEqual(['two', '!']);
      expect(s.fake().chat.requests).toHaveLength(2);
    });

    it('reports HTTP 500 and 429 as transient, 401 as permanent with a hint', async () => {
      s.fake().chat.enqueue(script({ tokens: [], status: 500 }), script({ tokens: [], status: 429 }), script({ tokens: [], status: 401 }));
      const gen = s.make();
      const e500 = providerError((await collect(gen)).error);
      expect(e500.transient).toBe(true);
      expect(e500.message).toContain('500');
      expect(providerError((await collect(gen)).error).transient).toBe(true);
      const e401 = providerError((await collect(gen)).error);
      expect(e401.transient).toBe(false);
      expect(e401.hint).toMatch(s.authHint);
      // no client-side retries: one request per call
      expect(s.fake().chat.requests).toHaveLength(3);
    });

    it('yields the deltas before a cut connection, then fails transiently without hanging', { timeout: 5_000 }, async () => {
      s.fake().chat.enqueue(script({ tokens: TOKENS, cutAfter: 3 }));
      const { deltas, error } = await collect(s.make());
      expect(deltas).toEqual(TOKENS.slice(0, 3));
      const e = providerError(error);
      expect(e.transient).toBe(true);
      expect(e.message).toMatch(/stream broke/);
    });

    it('fails when the stream ends cleanly but without its terminator', { timeout: 5_000 }, async () => {
      s.fake().chat.enqueue(script({ tokens: TOKENS, noTerminator: true }));
      const { deltas, error } = await collect(s.make());
      expect(deltas).toEqual(TOKENS);
      expect(providerError(error).message).toMatch(/stream broke/);
    });

    it('fails when the connection is cut after the last token but before the terminator', { timeout: 5_000 }, async () => {
      s.fake().chat.enqueue(script({ tokens: TOKENS, cutAfter: TOKENS.length }));
      const { deltas, error } = await collect(s.make());
      expect(deltas).toEqual(TOKENS);
      expect(providerError(error).transient).toBe(true);
    });

    it('yields the deltas before a malformed chunk, then fails transiently', { timeout: 5_000 }, async () => {
      s.fake().chat.enqueue(script({ tokens: TOKENS, malformedAfter: 2 }));
      const { deltas, error } = await collect(s.make());
      expect(deltas).toEqual(TOKENS.slice(0, 2));
      const e = providerError(error);
      expect(e.transient).toBe(true);
      expect(e.message).toMatch(/stream broke.*malformed/);
    });

    it('gives up on a server that goes silent mid-answer', { timeout: 5_000 }, async () => {
      s.fake().chat.enqueue(script({ tokens: TOKENS, stallAfter: 2 }));
      const { deltas, error } = await collect(s.make({ idleTimeoutMs: 500 }));
      expect(deltas).toEqual(TOKENS.slice(0, 2));
      const e = providerError(error);
      expect(e.transient).toBe(true);
      expect(e.message).toMatch(/sent nothing for 500 ms/);
    });

    it('does not time out a slow consumer while the server has already sent everything', { timeout: 5_000 }, async () => {
      s.fake().chat.enqueue(script({ tokens: ['a', 'b', 'c'] }));
      const gen = s.make({ idleTimeoutMs: 250 });
      const deltas: string[] = [];
      for await (const d of gen.stream(REQUEST, new AbortController().signal)) {
        deltas.push(d);
        await new Promise((r) => setTimeout(r, 500)); // e.g. awaiting a chat-platform edit
      }
      expect(deltas).toEqual(['a', 'b', 'c']);
    });

    it('stops promptly on abort mid-stream and the server sees the request go away', { timeout: 5_000 }, async () => {
      // Without abort support the rest would take 6 × 150 ms; the bounds below are far from both.
      s.fake().chat.enqueue(script({ tokens: TOKENS, delayMs: 150 }));
      const ac = new AbortController();
      let abortedAt = 0;
      const { deltas, error } = await collect(s.make(), ac.signal, (_d, i) => {
        if (i === 1) {
          abortedAt = performance.now();
          ac.abort();
        }
      });
      expect(performance.now() - abortedAt).toBeLessThan(400);
      expect(deltas).toEqual(TOKENS.slice(0, 2));
      const e = providerError(error);
      expect(e.transient).toBe(true);
      expect(e.message).toMatch(/aborted/);
      // Long enough for the rest of the script had the server not seen the request go away.
      await new Promise((r) => setTimeout(r, 1_200));
      expect(s.fake().chat.tokenTimes.length).toBeLessThan(TOKENS.length);
    });

    it('fails at once for an already aborted signal', async () => {
      const { deltas, error } = await collect(s.make(), AbortSignal.abort());
      expect(deltas).toEqual([]);
      expect(providerError(error).message).toMatch(/aborted/);
    });

    it('releases the request when the consumer stops early', { timeout: 5_000 }, async () => {
      s.fake().chat.enqueue(script({ tokens: TOKENS, delayMs: 100 }));
      for await (const d of s.make().stream(REQUEST, new AbortController().signal)) {
        expect(d).toBe('The');
        break;
      }
      await new Promise((r) => setTimeout(r, 1_000));
      expect(s.fake().chat.tokenTimes.length).toBeLessThan(TOKENS.length);
    });

    it('reports an unreachable host as transient', { timeout: 5_000 }, async () => {
      const { deltas, error } = await collect(s.makeUnreachable(await deadUrl()));
      expect(deltas).toEqual([]);
      const e = providerError(error);
      expect(e.transient).toBe(true);
      expect(e.message).toMatch(/cannot reach/);
    });
  });
}
