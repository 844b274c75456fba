/**
 * Drives the real transformers.js loading, tokenising, ONNX Runtime and pooling code against a tiny
 * generated BERT whose outputs the test can compute by hand.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/core/errors.js';
import type { Embedder } from '../../../src/core/ports/embedder.js';
import { pullModels } from '../../../src/providers/embedders/model-pull.js';
import { createTransformersEmbedder } from '../../../src/providers/embedders/transformers-embedder.js';
import { expectedMeanPooled, makeTinyBert, type TinyBert } from '../../fixtures/tiny-onnx/make-tiny-bert.js';

const norm = (v: number[]) => Math.hypot(...v);

let modelsDir: string;
let tiny: TinyBert;
let embedder: Embedder;

beforeAll(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 'docent-models-'));
  tiny = await makeTinyBert(modelsDir, 'tiny/bert');
  embedder = await createTransformersEmbedder({ model: 'tiny/bert', cacheDir: modelsDir, allowRemote: false, batchSize: 4 });
});

afterAll(async () => {
  await embedder?.close?.();
  if (modelsDir) await rm(modelsDir, { recursive: true, force: true });
});

describe('createTransformersEmbedder (tiny generated BERT)', () => {
  it('discovers the dimension and names itself after the model', () => {
    expect(embedder.dimension).toBe(tiny.hidden);
    expect(embedder.id).toBe('transformers:tiny/bert');
  });

  it('returns unit vectors, one per text, across several batches', async () => {
    const texts = ['forest', 'river data', 'Flood zone map', 'soil survey report', 'census tract', 'the lake', 'bird species', 'tree canopy', 'rain'];
    const vectors = await embedder.embedDocuments(texts);
    expect(vectors).toHaveLength(texts.length); // 9 texts at batchSize 4 = 3 forward passes
    for (const v of vectors) {
      expect(v).toHaveLength(tiny.hidden);
      expect(norm(v)).toBeCloseTo(1, 6);
    }
  });

  it('mean-pools exactly the token rows (numerically, from the known weights)', async () => {
    const [forest] = await embedder.embedDocuments(['forest']);
    const expected = expectedMeanPooled(tiny, ['[CLS]', 'forest', '[SEP]']);
    forest!.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 5));

    // Lower-casing, punctuation splitting and WordPiece pieces all reach the model: "Rainfall data?"
    const q = await embedder.embedQuery('Rainfall data?');
    const expectedQ = expectedMeanPooled(tiny, ['[CLS]', 'rain', '##fall', 'data', '?', '[SEP]']);
    q.forEach((x, i) => expect(x).toBeCloseTo(expectedQ[i]!, 5));
  });

  it('ignores padding: a short text batched with a long one gets the same vector as alone', async () => {
    const [alone] = await embedder.embedDocuments(['forest']);
    const [padded, long] = await embedder.embedDocuments([
      'forest',
      'where is the flood zone map of the county and which wetland habitat is on the parcel with the road',
    ]);
    padded!.forEach((x, i) => expect(x).toBeCloseTo(alone![i]!, 6));
    expect(long).not.toEqual(alone);
  });

  it('is deterministic and tells words apart', async () => {
    const [a1, a2, b] = await embedder.embedDocuments(['forest', 'forest', 'river']);
    expect(a1).toEqual(a2);
    expect(b).not.toEqual(a1);
    expect(await embedder.embedQuery('forest')).toEqual(a1); // no prefixes configured → same as the document
  });

  it('supports cls pooling and records it in the id', async () => {
    const cls = await createTransformersEmbedder({ model: 'tiny/bert', cacheDir: modelsDir, allowRemote: false, pooling: 'cls' });
    try {
      expect(cls.id).toBe('transformers:tiny/bert?pooling=cls');
      // The first token is always [CLS], so the vector is the same for every text.
      const expected = expectedMeanPooled(tiny, ['[CLS]']);
      const [v] = await cls.embedDocuments(['forest river']);
      v!.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 5));
    } finally {
      await cls.close?.();
    }
  });

  it('applies query and document prefixes', async () => {
    const e5 = await createTransformersEmbedder({
      model: 'tiny/bert',
      cacheDir: modelsDir,
      allowRemote: false,
      queryPrefix: 'what ',
      documentPrefix: 'report ',
    });
    try {
      const q = await e5.embedQuery('forest');
      const [d] = await e5.embedDocuments(['forest']);
      expectedMeanPooled(tiny, ['[CLS]', 'what', 'forest', '[SEP]']).forEach((x, i) => expect(q[i]).toBeCloseTo(x, 5));
      expectedMeanPooled(tiny, ['[CLS]', 'report', 'forest', '[SEP]']).forEach((x, i) => expect(d![i]).toBeCloseTo(x, 5));
    } finally {
      await e5.close?.();
    }
  });

  it('loads the quantized file for dtype q8', async () => {
    const q8 = await createTransformersEmbedder({ model: 'tiny/bert', cacheDir: modelsDir, allowRemote: false, dtype: 'q8' });
    try {
      expect(q8.id).toBe('transformers:tiny/bert?dtype=q8');
      expect(q8.dimension).toBe(tiny.hidden);
      // model_quantized.onnx carries different weights, so this proves which file was read.
      const expected = expectedMeanPooled({ ...tiny, maskBias: tiny.quantizedMaskBias }, ['[CLS]', 'forest', '[SEP]']);
      (await q8.embedQuery('forest')).forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 5));
    } finally {
      await q8.close?.();
    }
  });
});

describe('missing models', () => {
  it('fails with a ProviderError that says how to get the model', async () => {
    const err = await createTransformersEmbedder({ model: 'nobody/absent-model', cacheDir: modelsDir, allowRemote: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    const pe = err as ProviderError;
    expect(pe.message).toContain('nobody/absent-model');
    expect(pe.message).toContain(modelsDir);
    expect(pe.hint).toContain('docent models pull');
    expect(pe.hint).toContain('EMBEDDER=word-vectors');
  });

  it('pullModels fails quickly and clearly when the hub is unreachable', async () => {
    // A port that was free a moment ago: connecting is refused at once, like a machine with no hub access.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const lines: string[] = [];
    const pullDir = await mkdtemp(join(tmpdir(), 'docent-pull-'));
    const started = Date.now();
    const err = await pullModels({
      models: ['Xenova/all-MiniLM-L6-v2'],
      cacheDir: pullDir,
      remoteHost: `http://127.0.0.1:${port}/`,
      onProgress: (m) => lines.push(m),
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).message).toContain('Xenova/all-MiniLM-L6-v2');
    expect((err as ProviderError).message).toContain(`127.0.0.1:${port}`);
    expect((err as ProviderError).transient).toBe(true);
    expect(lines[0]).toContain('Xenova/all-MiniLM-L6-v2');
    await rm(pullDir, { recursive: true, force: true });
  });

  it('still loads local models after a failed pull (global env restored per load)', async () => {
    const again = await createTransformersEmbedder({ model: 'tiny/bert', cacheDir: modelsDir, allowRemote: false });
    expect(again.dimension).toBe(tiny.hidden);
    await again.close?.();
  });
});
