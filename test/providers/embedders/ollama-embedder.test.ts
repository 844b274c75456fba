/** The real `ollama` client against a loopback fake speaking Ollama's HTTP API. */
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/core/errors.js';
import { createOllamaEmbedder } from '../../../src/providers/embedders/ollama-embedder.js';
import { fakeVector } from '../../fakes/fake-hf-server.js';
import { startFakeOllamaServer, type FakeOllamaServer } from '../../fakes/fake-ollama-server.js';

const norm = (v: number[]) => Math.hypot(...v);

let fake: FakeOllamaServer;
beforeEach(async () => {
  fake = await startFakeOllamaServer({ dimension: 10 });
});
afterEach(async () => {
  await fake.close();
});

describe('createOllamaEmbedder', () => {
  it('probes the dimension and embeds batches into unit vectors', async () => {
    const e = await createOllamaEmbedder({ host: fake.url, model: 'nomic-embed-text', batchSize: 3 });
    expect(e.id).toBe('ollama:nomic-embed-text');
    expect(e.dimension).toBe(10);

    const texts = ['parcel zoning', 'stream gauges', 'tree canopy', 'roads', 'rainfall'];
    const vectors = await e.embedDocuments(texts);
    expect(vectors).toHaveLength(5);
    vectors.forEach((v, i) => {
      expect(norm(v)).toBeCloseTo(1, 10);
      const raw = fakeVector(texts[i]!, 10);
      raw.forEach((x, j) => expect(v[j]).toBeCloseTo(x / norm(raw), 10));
    });
    expect(fake.embeddedInputs()).toEqual([['dimension probe'], texts.slice(0, 3), texts.slice(3)]);
    expect(fake.requests.every((r) => (r.body as { model?: string }).model === 'nomic-embed-text')).toBe(true);
  });

  it('defaults to nomic-embed-text and matches query and document vectors', async () => {
    const e = await createOllamaEmbedder({ host: fake.url });
    expect(e.id).toBe('ollama:nomic-embed-text');
    const [doc] = await e.embedDocuments(['habitat survey']);
    expect(await e.embedQuery('habitat survey')).toEqual(doc);
  });

  it('explains a model that was never pulled', async () => {
    const err = await createOllamaEmbedder({ host: fake.url, model: 'mxbai-embed-large' }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).transient).toBe(false);
    expect((err as ProviderError).hint).toContain('ollama pull mxbai-embed-large');
  });

  it('reports a 503 as a transient ProviderError', async () => {
    const e = await createOllamaEmbedder({ host: fake.url });
    fake.failNext(503, 1, { error: 'server busy, please try again.  maximum pending requests exceeded' });
    const err = await e.embedQuery('forest').catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).transient).toBe(true);
    expect((err as ProviderError).message).toContain('503');
    expect(await e.embedQuery('forest')).toHaveLength(10);
  });

  it('reports an unreachable host as a transient ProviderError with a hint', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const err = await createOllamaEmbedder({ host: `http://127.0.0.1:${port}` }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).transient).toBe(true);
    expect((err as ProviderError).message).toContain('ECONNREFUSED');
    expect((err as ProviderError).hint).toContain('ollama serve');
  });

  it('times out a server that never answers', async () => {
    fake.route('POST', '/api/embed', () => {});
    const err = await createOllamaEmbedder({ host: fake.url, timeoutMs: 200 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).message).toContain('200 ms');
  });

  it('the fake answers the health routes the client offers', async () => {
    const { Ollama } = await import('ollama');
    const client = new Ollama({ host: fake.url });
    expect((await client.list()).models.map((m) => m.name)).toEqual(['nomic-embed-text:latest']);
    expect((await client.version()).version).toMatch(/^\d+\.\d+/);
  });
});
