import { afterEach, describe, expect, it, vi } from 'vitest';
import { AdmissionControl } from '../../../src/core/answer/admission.js';
import { DocentError } from '../../../src/core/errors.js';

describe('AdmissionControl', () => {
  it('runs at most maxConcurrent at once, queues the rest in order, and refuses beyond the queue', async () => {
    const a = new AdmissionControl({ maxConcurrent: 2, maxQueued: 2, perUser: 10 });
    const r1 = await a.admit('u1');
    const r2 = await a.admit('u2');
    const order: string[] = [];
    const q3 = a.admit('u3').then((r) => (order.push('u3'), r));
    const q4 = a.admit('u4').then((r) => (order.push('u4'), r));
    expect(a.stats).toEqual({ active: 2, queued: 2 });
    const refused = await a.admit('u5').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DocentError);
    expect((refused as DocentError).code).toBe('busy');
    expect((refused as DocentError).message).toMatch(/try again in \d+ s/);
    r1();
    r2();
    (await q3)();
    (await q4)();
    expect(order).toEqual(['u3', 'u4']);
    expect(a.stats).toEqual({ active: 0, queued: 0 });
  });

  it('limits one user to their share, and frees it as their answers finish', async () => {
    const a = new AdmissionControl({ maxConcurrent: 10, maxQueued: 10, perUser: 2 });
    const r1 = await a.admit('u1');
    await a.admit('u1');
    await expect(a.admit('u1')).rejects.toMatchObject({ code: 'busy' });
    await expect(a.admit('u2')).resolves.toBeTypeOf('function');
    r1();
    r1(); // releasing twice is harmless
    await expect(a.admit('u1')).resolves.toBeTypeOf('function');
  });

  it('hands a freed slot straight to the first waiter: a newcomer in that instant waits (never 2 active with a limit of 1)', async () => {
    const a = new AdmissionControl({ maxConcurrent: 1, maxQueued: 10, perUser: 10 });
    let inside = 0;
    let most = 0;
    const order: string[] = [];
    const enter = (who: string, release: () => void) => {
      inside++;
      most = Math.max(most, inside);
      order.push(who);
      return () => {
        inside--;
        release();
      };
    };
    const first = enter('a', await a.admit('a'));
    const queued = a.admit('b').then((r) => enter('b', r));
    // The race: the slot is freed and, in the same tick, a newcomer asks for one before the waiter has resumed.
    first();
    const newcomer = a.admit('c').then((r) => enter('c', r));
    expect(a.stats).toEqual({ active: 1, queued: 1 });
    const leaveB = await queued;
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['a', 'b']); // c still waits behind b
    expect(inside).toBe(1);
    leaveB();
    (await newcomer)();
    expect(order).toEqual(['a', 'b', 'c']);
    expect(most).toBe(1);
    expect(a.stats).toEqual({ active: 0, queued: 0 });
  });

  it('a waiter abandoned by its signal leaves the queue at once and frees its place and its share', async () => {
    const a = new AdmissionControl({ maxConcurrent: 1, maxQueued: 1, perUser: 1 });
    const held = await a.admit('a');
    const ac = new AbortController();
    const waiting = a.admit('b', ac.signal);
    await expect(a.admit('c')).rejects.toMatchObject({ code: 'busy' }); // the one queue place is taken
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(a.stats).toEqual({ active: 1, queued: 0 });
    // Its place is free for someone else, and b (limit 1 per person) may ask again.
    const c = a.admit('c');
    await expect(a.admit('b')).rejects.toMatchObject({ code: 'busy' }); // only because the queue (1) is full again
    held();
    (await c)();
    await expect(a.admit('b')).resolves.toBeTypeOf('function');
    // Already aborted: refused without queueing.
    await expect(a.admit('d', AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('an abort after the slot was handed over changes nothing: the holder releases it as usual', async () => {
    const a = new AdmissionControl({ maxConcurrent: 1, maxQueued: 1, perUser: 5 });
    const held = await a.admit('a');
    const ac = new AbortController();
    const waiting = a.admit('b', ac.signal);
    held();
    const release = await waiting;
    ac.abort();
    expect(a.stats).toEqual({ active: 1, queued: 0 });
    release();
    expect(a.stats).toEqual({ active: 0, queued: 0 });
  });

  describe('with a bound on the wait', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('refuses a question that waited longer than maxWaitMs with "busy, try again", freeing its place', async () => {
      vi.useFakeTimers();
      const a = new AdmissionControl({ maxConcurrent: 1, maxQueued: 5, perUser: 1, maxWaitMs: 30_000 });
      const held = await a.admit('a');
      const waiting = a.admit('b');
      const outcome = waiting.then(() => 'admitted', (e: unknown) => e);
      await vi.advanceTimersByTimeAsync(29_999);
      expect(a.stats.queued).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      const err = await outcome;
      expect(err).toBeInstanceOf(DocentError);
      expect((err as DocentError).code).toBe('busy');
      expect((err as DocentError).message).toMatch(/within 30 s; please try again in \d+ s/);
      expect(a.stats).toEqual({ active: 1, queued: 0 });
      const again = a.admit('b'); // b's share was given back
      held();
      await expect(again).resolves.toBeTypeOf('function');
    });
  });
});
