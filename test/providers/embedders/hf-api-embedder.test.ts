/** The real @huggingface/inference client against a loopback fake of the hub, router and a dedicated endpoint. */
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/core/errors.js';
import { createHfApiEmbedder, sentenceVectors } from '../../../src/providers/embedders/hf-api-embedder.js';
import { fakeVector, startFakeHfServer, type FakeHfServer } from '../../fakes/fake-hf-server.js';

const norm = (v: number[]) => Math.hypot(...v);
const unit = (v: number[]) => v.map((x) => x / norm(v));
const MODEL = 'sentence-transformers/all-MiniLM-L6-v2';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

let fake: FakeHfServer;
beforeEach(async () => {
  fake = await startFakeHfServer({ dimension: 12 });
});
afterEach(async () => {
  await fake.close();
});

describe('createHfApiEmbedder via the router (provider hf-inference)', () => {
  it('embeds a batch into unit vectors, in order, in batches, sending the bearer token', async () => {
    const e = await createHfApiEmbedder({ model: MODEL, token: 'hf_test_token', fetch: fake.hubFetch, batchSize: 2 });
    expect(e.id).toBe(`hf-api:${MODEL}`);
    expect(e.dimension).toBe(12);

    const texts = ['flood zones', 'soil survey', 'census tracts', 'bird habitat', 'lake levels'];
    const vectors = await e.embedDocuments(texts);
    expect(vectors).toHaveLength(5);
    vectors.forEach((v, i) => {
      expect(v).toHaveLength(12);
      expect(norm(v)).toBeCloseTo(1, 10);
      unit(fakeVector(texts[i]!, 12)).forEach((x, j) => expect(v[j]).toBeCloseTo(x, 10));
    });

    // probe + 3 batches of ≤2, all on the router path the real API uses
    expect(fake.embeddedInputs()).toEqual([['dimension probe'], texts.slice(0, 2), texts.slice(2, 4), texts.slice(4)]);
    const calls = fake.requests.filter((r) => r.method === 'POST');
    for (const r of calls) {
      expect(r.path).toBe(`/hf-inference/models/${MODEL}/pipeline/feature-extraction`);
      expect(r.headers.authorization).toBe('Bearer hf_test_token');
    }
  });

  it('gives the same vector for a query and a document with the same text', async () => {
    const e = await createHfApiEmbedder({ model: MODEL, token: 'hf_x', fetch: fake.hubFetch });
    const [doc] = await e.embedDocuments(['wetland map']);
    expect(await e.embedQuery('wetland map')).toEqual(doc);
    expect(await e.embedDocuments([])).toEqual([]);
  });

  it('reports a 503 (model loading) as a transient ProviderError instead of retrying forever', async () => {
    const e = await createHfApiEmbedder({ model: MODEL, token: 'hf_x', fetch: fake.hubFetch });
    fake.failNext(503, 1, { error: 'Model is currently loading', estimated_time: 20 });
    const err = await e.embedQuery('forest').catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).transient).toBe(true);
    expect((err as ProviderError).message).toContain('503');
    // the next call succeeds: the failure was consumed, the client did not loop on it
    expect(await e.embedQuery('forest')).toHaveLength(12);
  });

  it('reports 429 as transient and 401 as permanent with a token hint', async () => {
    const e = await createHfApiEmbedder({ model: MODEL, token: 'hf_x', fetch: fake.hubFetch });
    fake.failNext(429, 1, { error: 'Rate limit reached' }, { 'retry-after': '2' });
    expect(await e.embedQuery('a').catch((x: ProviderError) => x.transient)).toBe(true);
    fake.failNext(401, 1, { error: 'Invalid credentials in Authorization header' });
    const err = (await e.embedQuery('a').catch((x: unknown) => x)) as ProviderError;
    expect(err.transient).toBe(false);
    expect(err.hint).toContain('HF_TOKEN');
  });

  it('fails at creation when the first call fails', async () => {
    fake.failNext(500, 1);
    const err = await createHfApiEmbedder({ model: MODEL, fetch: fake.hubFetch }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).transient).toBe(true);
  });
});

describe('createHfApiEmbedder via a dedicated endpoint (endpointUrl)', () => {
  it('posts to the endpoint URL verbatim and sends no Authorization header without a token', async () => {
    const e = await createHfApiEmbedder({ model: 'my-org/my-embedder', endpointUrl: fake.url });
    expect(e.dimension).toBe(12);
    await e.embedDocuments(['a', 'b']);
    for (const r of fake.requests) {
      expect(r.method).toBe('POST');
      expect(r.path).toBe('/');
      expect(r.headers.authorization).toBeUndefined();
    }
    expect(fake.requests.some((r) => r.path.startsWith('/api/models'))).toBe(false);
  });

  it('mean-pools token-level outputs (models without a pooling layer)', async () => {
    const tokenFake = await startFakeHfServer({ dimension: 6, tokenLevel: true });
    try {
      const e = await createHfApiEmbedder({ model: 'x/raw-bert', endpointUrl: tokenFake.url, token: 'k' });
      expect(e.dimension).toBe(6);
      const [v] = await e.embedDocuments(['river basin']);
      const [a, b] = [fakeVector('river', 6), fakeVector('basin', 6)];
      unit(a.map((x, i) => (x + b[i]!) / 2)).forEach((x, i) => expect(v![i]).toBeCloseTo(x, 10));
    } finally {
      await tokenFake.close();
    }
  });

  it('turns an unreachable host into a transient ProviderError', async () => {
    const endpointUrl = `http://127.0.0.1:${await freePort()}`;
    const err = await createHfApiEmbedder({ model: 'x/y', endpointUrl, timeoutMs: 5_000 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).transient).toBe(true);
    expect((err as ProviderError).message).toContain('cannot reach');
  });

  it('turns a hung endpoint into a timeout ProviderError', async () => {
    fake.route('POST', '/slow', () => {}); // never answers
    const err = await createHfApiEmbedder({ model: 'x/y', endpointUrl: `${fake.url}/slow`, timeoutMs: 200 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).message).toContain('200 ms');
    expect((err as ProviderError).transient).toBe(true);
  });
});

describe('sentenceVectors', () => {
  it('accepts pooled, token-level and bare single outputs and rejects the rest', () => {
    expect(sentenceVectors([[1, 2], [3, 4]], 2)).toEqual([[1, 2], [3, 4]]);
    expect(sentenceVectors([[[1, 2], [3, 4]]], 1)).toEqual([[2, 3]]);
    expect(sentenceVectors([1, 2], 1)).toEqual([[1, 2]]);
    expect(sentenceVectors([[1, 2], [3, 4]], 1)).toEqual([[2, 3]]);
    expect(() => sentenceVectors([[1, 2]], 2)).toThrow(/expected 2/);
    expect(() => sentenceVectors([['x']], 1)).toThrow(/shape/);
  });
});
