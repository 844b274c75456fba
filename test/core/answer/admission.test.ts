import { describe, expect, it } from 'vitest';
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
});
