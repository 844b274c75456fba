/**
 * The behaviour every LLM chat generator shares, run with its real client against a loopback fake that
 * speaks its wire protocol: streaming order and the finish reason, what the request carries, HTTP failures,
 * a cut or malformed stream, a silent server, abort, an early stop by the consumer, and an unreachable host.
 */
import { describe, expect, it } from 'vitest';
import type { FinishReason } from '../../../src/core/answer/types.js';
import { ProviderError } from '../../../src/core/errors.js';
import type { GenerationPart, GenerationRequest, Generator } from '../../../src/core/ports/generator.js';
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

/**
 * Consumes a generator, keeping the parts it yielded before failing (if it failed): `deltas` are the texts,
 * `finish` the reason of a finish part, undefined when the stream ended (or failed) without one.
 */
export async function collect(gen: Generator, signal = new AbortController().signal, onDelta?: (d: string, i: number) => void) {
  const parts: GenerationPart[] = [];
  const deltas: string[] = [];
  let error: unknown;
  try {
    for await (const p of gen.stream(REQUEST, signal)) {
      parts.push(p);
      if (p.type !== 'text') continue;
      deltas.push(p.text);
      onDelta?.(p.text, deltas.length - 1);
    }
  } catch (e) {
    error = e;
  }
  const finishes = parts.flatMap((p, i) => (p.type === 'finish' ? [i] : []));
  // The port: at most one finish, and nothing after it.
  expect(finishes.length === 0 || (finishes.length === 1 && finishes[0] === parts.length - 1)).toBe(true);
  const last = parts.at(-1);
  const finish: FinishReason | undefined = last?.type === 'finish' ? last.reason : undefined;
  return { deltas, finish, error };
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
    it('streams every delta in order, then finish stop, and sends messages, model, max tokens, temperature and the key', async () => {
      s.fake().chat.enqueue(script({ tokens: TOKENS, delayMs: 5 }));
      const gen = s.make();
      const { deltas, finish, error } = await collect(gen);
      expect(error).toBeUndefined();
      expect(deltas).toEqual(TOKENS);
      expect(finish).toBe('stop');
      expect(deltas.join('')).toBe(TOKENS.join(''));
      const [req] = s.fake().chat.requests;
      expect(req).toMatchObject({ messages: REQUEST.messages, maxTokens: 321, temperature: 0.2, stream: true });
      expect(typeof req!.model).toBe('string');
      expect(req!.authorization).toBe(s.authorization);
      expect(s.fake().chat.tokenTimes.map((t) => t.text)).toEqual(TOKENS);
    });

    it('finishes with length when the server stopped at the token limit', async () => {
      s.fake().chat.enqueue(script({ tokens: TOKENS, finishReason: 'length' }));
      const { deltas, finish, error } = await collect(s.make());
      expect(error).toBeUndefined();
      expect(deltas).toEqual(TOKENS);
      expect(finish).toBe('length');
    });

    it('ends without a finish part (a cut stream, not an error) when the response ends without its final record', { timeout: 5_000 }, async () => {
      s.fake().chat.enqueue(script({ tokens: TOKENS, noTerminator: true }));
      const { deltas, finish, error } = await collect(s.make());
      expect(error).toBeUndefined();
      expect(deltas).toEqual(TOKENS);
      expect(finish).toBeUndefined();
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
      const { deltas, finish, error } = await collect(s.make());
      expect(deltas).toEqual(TOKENS.slice(0, 3));
      expect(finish).toBeUndefined();
      const e = providerError(error);
      expect(e.transient).toBe(true);
      expect(e.message).toMatch(/stream broke/);
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
      const parts: GenerationPart[] = [];
      for await (const p of gen.stream(REQUEST, new AbortController().signal)) {
        parts.push(p);
        await new Promise((r) => setTimeout(r, 500)); // e.g. awaiting a chat-platform edit
      }
      expect(parts).toEqual([...['a', 'b', 'c'].map((text) => ({ type: 'text', text })), { type: 'finish', reason: 'stop' }]);
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
      for await (const p of s.make().stream(REQUEST, new AbortController().signal)) {
        expect(p).toEqual({ type: 'text', text: 'The' });
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
