import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Embedder } from '../../../src/core/ports/embedder.js';
import { EmbeddingCache, embedWithCache } from '../../../src/providers/embedders/embedding-cache.js';
import { createHashEmbedder } from '../../../src/providers/embedders/hash-embedder.js';

const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);

describe('hash embedder', () => {
  it('returns deterministic unit vectors where shared words mean higher similarity', async () => {
    const e = createHashEmbedder(256);
    const [q, near, far] = await e.embedDocuments(['timber harvests in Oregon', 'timber harvest acres', 'hiking trail closures']);
    expect(Math.hypot(...q!)).toBeCloseTo(1, 6);
    expect(await e.embedQuery('timber harvests in Oregon')).toEqual(q);
    expect(dot(q!, near!)).toBeGreaterThan(dot(q!, far!) + 0.2);
  });
});

describe('embedding cache', () => {
  it('embeds each distinct text once, persists across instances, and keys by embedder id', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'emb-'));
    const inner = createHashEmbedder(64);
    const seen: string[] = [];
    const counting: Embedder = { ...inner, embedDocuments: async (t) => (seen.push(...t), inner.embedDocuments(t)) };
    const items = [
      { text: 'alpha', textHash: 'aa'.repeat(32) },
      { text: 'beta', textHash: 'bb'.repeat(32) },
      { text: 'alpha', textHash: 'aa'.repeat(32) },
    ];
    const first = await embedWithCache(counting, new EmbeddingCache(dir, inner.id, 64), items, 1);
    expect(first.embedded).toBe(2);
    expect(seen).toEqual(['alpha', 'beta']);
    expect(first.vectors[0]).toEqual(first.vectors[2]);

    const again = await embedWithCache(counting, new EmbeddingCache(dir, inner.id, 64), items, 8);
    expect(again.embedded).toBe(0);
    expect(seen).toHaveLength(2);
    expect(again.vectors[1]!.map((v) => Math.fround(v))).toEqual(first.vectors[1]!.map((v) => Math.fround(v)));

    expect(new EmbeddingCache(dir, 'other:model', 64).size).toBe(0);
  });
});
