/**
 * Drives the real transformers.js loading, pair tokenising, padding and ONNX Runtime code against a tiny
 * generated cross-encoder whose logits the test computes by hand from the known weights.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/core/errors.js';
import { createCrossEncoderReranker } from '../../../src/providers/rerankers/cross-encoder-reranker.js';
import type { Reranker } from '../../../src/core/ports/reranker.js';
import { makeTinyBert } from '../../fixtures/tiny-onnx/make-tiny-bert.js';
import { PAD_SCORE, expectedCrossLogit, makeTinyCrossEncoder, type TinyCrossEncoder } from '../../fixtures/tiny-onnx/make-tiny-cross-encoder.js';

let modelsDir: string;
let tiny: TinyCrossEncoder;
let reranker: Reranker;

// "Where is the flood zone?" as the tiny WordPiece tokenizer splits it (lower-cased, punctuation apart).
const QUERY = 'Where is the flood zone?';
const QUERY_TOKENS = ['where', 'is', 'the', 'flood', 'zone', '?'];
// Five passages of different lengths, each with its expected word pieces.
const PASSAGES: [string, string[]][] = [
  ['Flood zone map', ['flood', 'zone', 'map']],
  ['the river', ['the', 'river']],
  ['Rainfall data?', ['rain', '##fall', 'data', '?']],
  [
    'Soil survey report for the county, and land cover of the wetland habitat',
    ['soil', 'survey', 'report', 'for', 'the', 'county', ',', 'and', 'land', 'cover', 'of', 'the', 'wetland', 'habitat'],
  ],
  ['fish', ['fish']],
];

beforeAll(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 'docent-cross-'));
  tiny = await makeTinyCrossEncoder(modelsDir, 'tiny/cross');
  reranker = await createCrossEncoderReranker({ model: 'tiny/cross', cacheDir: modelsDir, allowRemote: false, dtype: 'fp32', batchSize: 2 });
});

afterAll(async () => {
  await reranker?.close?.();
  if (modelsDir) await rm(modelsDir, { recursive: true, force: true });
});

describe('createCrossEncoderReranker (tiny generated cross-encoder)', () => {
  it('names itself after the model', () => {
    expect(reranker.id).toBe('cross-encoder:tiny/cross');
  });

  it('gives each (query, passage) pair the logit computed from the known weights, in passage order', async () => {
    // 5 passages at batchSize 2 = 3 forward passes, each padded to its longest pair.
    const scores = await reranker.score(QUERY, PASSAGES.map(([text]) => text));
    expect(scores).toHaveLength(PASSAGES.length);
    PASSAGES.forEach(([, tokens], i) => expect(scores[i]).toBeCloseTo(expectedCrossLogit(tiny, QUERY_TOKENS, tokens), 5));
  });

  it('sends the passage as the second segment (text_pair), not the query', async () => {
    const [score] = await reranker.score('flood', ['rain data']);
    expect(score).toBeCloseTo(expectedCrossLogit(tiny, ['flood'], ['rain', 'data']), 5);
    // Swapped segments give other numbers, so the match above is not a coincidence.
    expect(Math.abs(expectedCrossLogit(tiny, ['rain', 'data'], ['flood']) - score!)).toBeGreaterThan(1e-3);
  });

  it('ignores padding: a short passage batched with a long one scores as it does alone', async () => {
    const [alone] = await reranker.score(QUERY, ['fish']);
    const [padded, long] = await reranker.score(QUERY, ['fish', PASSAGES[3]![0]]);
    expect(padded).toBeCloseTo(alone!, 5);
    expect(long).toBeCloseTo(expectedCrossLogit(tiny, QUERY_TOKENS, PASSAGES[3]![1]), 5);
    // An unmasked [PAD] would have added PAD_SCORE per padding position (13 here), so the match is not luck.
    expect(Math.abs(alone! + 13 * PAD_SCORE - padded!)).toBeGreaterThan(1);
  });

  it('returns [] for no passages and keeps concurrent callers apart', async () => {
    expect(await reranker.score(QUERY, [])).toEqual([]);
    const texts = PASSAGES.map(([text]) => text);
    const [a, b] = await Promise.all([reranker.score(QUERY, texts), reranker.score('fish', texts)]);
    PASSAGES.forEach(([, tokens], i) => {
      expect(a[i]).toBeCloseTo(expectedCrossLogit(tiny, QUERY_TOKENS, tokens), 5);
      expect(b[i]).toBeCloseTo(expectedCrossLogit(tiny, ['fish'], tokens), 5);
    });
  });

  it('loads onnx/model_quantized.onnx for dtype q8', async () => {
    const q8 = await createCrossEncoderReranker({ model: 'tiny/cross', cacheDir: modelsDir, allowRemote: false, dtype: 'q8' });
    try {
      expect(q8.id).toBe('cross-encoder:tiny/cross?dtype=q8');
      // The quantized file carries another bias, so this proves which file was read.
      const [s] = await q8.score('flood', ['map']);
      expect(s).toBeCloseTo(expectedCrossLogit({ ...tiny, bias: tiny.quantizedBias }, ['flood'], ['map']), 4);
    } finally {
      await q8.close?.();
    }
  });
});

describe('loading failures', () => {
  it('a missing model is a ProviderError that says how to get it', async () => {
    const err = await createCrossEncoderReranker({ model: 'nobody/absent-reranker', cacheDir: modelsDir, allowRemote: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    const pe = err as ProviderError;
    expect(pe.provider).toBe('cross-encoder');
    expect(pe.message).toContain('nobody/absent-reranker');
    expect(pe.message).toContain(modelsDir);
    expect(pe.message).toContain('downloading is disabled');
    expect(pe.transient).toBe(false);
    expect(pe.hint).toContain('docent models pull');
    expect(pe.hint).toContain('RERANKER=none');
  });

  it('a model without tokenizer files names them', async () => {
    const broken = await makeTinyCrossEncoder(modelsDir, 'tiny/no-tokenizer');
    await rm(join(broken.dir, 'tokenizer.json'));
    await rm(join(broken.dir, 'tokenizer_config.json'));
    const err = await createCrossEncoderReranker({ model: 'tiny/no-tokenizer', cacheDir: modelsDir, allowRemote: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).message).toContain('tokenizer.json');
    expect((err as ProviderError).hint).toContain('docent models pull');
  });

  it('an embedding model is refused at start-up, not on the first question', async () => {
    await makeTinyBert(modelsDir, 'tiny/bert');
    const err = await createCrossEncoderReranker({ model: 'tiny/bert', cacheDir: modelsDir, allowRemote: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).message).toContain('not a reranker');
  });

  it('still loads local models after failed loads (global env set per load)', async () => {
    const again = await createCrossEncoderReranker({ model: 'tiny/cross', cacheDir: modelsDir, allowRemote: false });
    try {
      const [s] = await again.score('flood', ['map']);
      expect(s).toBeCloseTo(expectedCrossLogit(tiny, ['flood'], ['map']), 5);
    } finally {
      await again.close?.();
    }
  });
});
