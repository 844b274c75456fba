import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/core/bounded-map.js';

describe('BoundedMap', () => {
  it('drops the oldest write past max; a read does not move an entry unless touchOnGet', () => {
    const m = new BoundedMap<string, number>({ max: 2 });
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1);
    m.set('c', 3);
    expect([m.has('a'), m.has('b'), m.has('c')]).toEqual([false, true, true]);
    const lru = new BoundedMap<string, number>({ max: 2, touchOnGet: true });
    lru.set('a', 1);
    lru.set('b', 2);
    lru.get('a');
    lru.set('c', 3);
    expect([lru.has('a'), lru.has('b'), lru.has('c')]).toEqual([true, false, true]);
  });

  it('never returns an expired entry, and a set drops expired entries from the front', () => {
    let now = 0;
    const m = new BoundedMap<string, number>({ max: 10, ttlMs: 100, now: () => now });
    m.set('a', 1);
    now = 50;
    m.set('b', 2);
    now = 100;
    expect(m.get('a')).toBeUndefined();
    expect(m.has('b')).toBe(true);
    now = 160;
    m.set('c', 3);
    expect(m.size).toBe(1);
  });
});
