import { describe, expect, it } from 'vitest';
import { RateBudget } from '../../../src/adapters/slack/rate-budget.js';

/** A tier of 10 calls per second: burst 1, then one token every ~117 ms. */
const TIERS = { 'chat.update': { limit: 10, windowSec: 1 }, 'chat.postMessage': { limit: 10, windowSec: 1, perChannel: true } };
const scope = { team: 'T1', channel: 'C1' };

describe('RateBudget', () => {
  it('never admits more than the tier allows in any window, however many calls wait', async () => {
    const budget = new RateBudget(TIERS);
    const at: number[] = [];
    await Promise.all(Array.from({ length: 25 }, () => budget.take('chat.update', scope).then(() => at.push(performance.now()))));
    for (const t of at) expect(at.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(10);
  });

  it('serves final calls before other waiting calls, and live updates never jump the queue', async () => {
    const budget = new RateBudget(TIERS);
    expect(budget.tryTake('chat.update', scope)).toBe(true); // the burst token
    const order: string[] = [];
    const normal = budget.take('chat.update', scope, 'normal').then(() => order.push('normal'));
    const final = budget.take('chat.update', scope, 'final').then(() => order.push('final'));
    expect(budget.tryTake('chat.update', scope)).toBe(false);
    await Promise.all([normal, final]);
    expect(order).toEqual(['final', 'normal']);
  });

  it('counts per channel where the tier says so, and per workspace otherwise', () => {
    const budget = new RateBudget(TIERS);
    expect(budget.tryTake('chat.postMessage', { team: 'T1', channel: 'C1' })).toBe(true);
    expect(budget.tryTake('chat.postMessage', { team: 'T1', channel: 'C1' })).toBe(false);
    expect(budget.tryTake('chat.postMessage', { team: 'T1', channel: 'C2' })).toBe(true);
    expect(budget.tryTake('chat.update', { team: 'T1', channel: 'C1' })).toBe(true);
    expect(budget.tryTake('chat.update', { team: 'T1', channel: 'C2' })).toBe(false);
    // Methods without a tier are not limited.
    expect(budget.tryTake('auth.test', scope)).toBe(true);
  });

  it('holds every call of a method for the Retry-After of a 429', async () => {
    const budget = new RateBudget(TIERS);
    const start = performance.now();
    budget.pause('chat.update', scope, 400);
    expect(budget.tryTake('chat.update', scope)).toBe(false);
    await budget.take('chat.update', scope, 'final');
    expect(performance.now() - start).toBeGreaterThanOrEqual(390);
  });
});
