/**
 * The real TEI reranker client against a loopback TEI fake that, like the real server, answers in score
 * order rather than passage order.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/core/errors.js';
import { createTeiReranker } from '../../../src/providers/rerankers/tei-reranker.js';
import { sendJson, deadUrl } from '../../fakes/route-server.js';
import { startFakeTeiServer, teiScore, type FakeTeiServer } from '../../fakes/fake-tei-server.js';

let tei: FakeTeiServer;

beforeAll(async () => {
  tei = await startFakeTeiServer({ maxBatchSize: 4 });
});

afterAll(async () => {
  await tei?.close();
});

beforeEach(() => {
  tei.requests.length = 0;
});

const QUERY = 'flood zone map';
// Expected server order (by words in common): 2 (3 words), 0 (2), 3 (1), 1 (0) — not passage order.
const PASSAGES = ['flood zone', 'soil survey', 'the flood zone map of the county', 'a map'];

const catchError = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('createTeiReranker', () => {
  it('returns scores in passage order, not the server\'s sorted order', async () => {
    const scores = await createTeiReranker({ url: tei.url }).score(QUERY, PASSAGES);
    expect(scores).toEqual(PASSAGES.map((p) => teiScore(QUERY, p)));
    // The fake really did answer in another order, so the mapping by `index` was exercised.
    const rawOrder = await (await fetch(`${tei.url}/rerank`, { method: 'POST', body: JSON.stringify({ query: QUERY, texts: PASSAGES }) })).json();
    expect((rawOrder as { index: number }[]).map((r) => r.index)).toEqual([2, 0, 3, 1]);
  });

  it('sends TEI\'s body: query, texts, truncate, sigmoid scores', async () => {
    await createTeiReranker({ url: tei.url }).score(QUERY, PASSAGES);
    expect(tei.rerankCalls()).toEqual([{ query: QUERY, texts: PASSAGES, truncate: true, raw_scores: false }]);
    expect(tei.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('sends the bearer token only when given', async () => {
    await createTeiReranker({ url: tei.url, token: 'hf_secret' }).score(QUERY, ['a']);
    await createTeiReranker({ url: tei.url }).score(QUERY, ['a']);
    expect(tei.requests[0]!.headers.authorization).toBe('Bearer hf_secret');
    expect(tei.requests[1]!.headers.authorization).toBeUndefined();
  });

  it('accepts the server root or the /rerank route, with or without a trailing slash', async () => {
    for (const url of [tei.url, `${tei.url}/`, `${tei.url}/rerank`, `${tei.url}/rerank/`]) {
      const reranker = createTeiReranker({ url });
      expect(reranker.id).toBe(`tei:${tei.url}/rerank`);
      expect(await reranker.score(QUERY, ['flood'])).toEqual([teiScore(QUERY, 'flood')]);
    }
    expect(tei.requests.map((r) => r.path)).toEqual(['/rerank', '/rerank', '/rerank', '/rerank']);
  });

  it('splits long lists into requests the server accepts, keeping the order', async () => {
    const passages = ['map', 'zone map', 'river', 'flood zone map', 'lake', 'flood', 'soil', 'zone', 'county'];
    const scores = await createTeiReranker({ url: tei.url, batchSize: 4 }).score(QUERY, passages);
    expect(scores).toEqual(passages.map((p) => teiScore(QUERY, p)));
    expect(tei.rerankCalls().map((c) => c.texts.length)).toEqual([4, 4, 1]);
  });

  it('empty passages → [] without a request', async () => {
    expect(await createTeiReranker({ url: tei.url }).score(QUERY, [])).toEqual([]);
    expect(tei.requests).toHaveLength(0);
  });
});

describe('failures', () => {
  it('503 is a transient ProviderError carrying the server\'s message; the next call succeeds', async () => {
    const reranker = createTeiReranker({ url: tei.url });
    tei.failNext(503, 1, { error: 'Model is overloaded', error_type: 'overloaded' });
    const err = await catchError(reranker.score(QUERY, PASSAGES));
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).transient).toBe(true);
    expect((err as ProviderError).message).toContain('503');
    expect((err as ProviderError).message).toContain('Model is overloaded');
    expect(await reranker.score(QUERY, ['flood'])).toEqual([teiScore(QUERY, 'flood')]);
  });

  it('a refused request (413: batch too large) is permanent', async () => {
    const err = await catchError(createTeiReranker({ url: tei.url, batchSize: 10 }).score(QUERY, new Array<string>(6).fill('flood')));
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).transient).toBe(false);
    expect((err as ProviderError).message).toContain('maximum allowed batch size 4');
  });

  it('401 points at the token', async () => {
    tei.failNext(401, 1, { error: 'Unauthorized' });
    const err = await catchError(createTeiReranker({ url: tei.url, token: 'bad' }).score(QUERY, ['a']));
    expect((err as ProviderError).transient).toBe(false);
    expect((err as ProviderError).hint).toContain('HF_TOKEN');
  });

  it('an unreachable server is a transient ProviderError naming the URL', async () => {
    const url = await deadUrl();
    const err = await catchError(createTeiReranker({ url }).score(QUERY, ['a']));
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).transient).toBe(true);
    expect((err as ProviderError).message).toContain(`${url}/rerank`);
    expect((err as ProviderError).hint).toContain('RERANK_URL');
  });

  it('an unset URL is a permanent ProviderError, not a retry loop', async () => {
    const err = await catchError(createTeiReranker({ url: '' }).score(QUERY, ['a']));
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).transient).toBe(false);
    expect((err as ProviderError).hint).toContain('RERANK_URL');
  });

  it('a timeout is transient', async () => {
    const slow = await startFakeTeiServer();
    slow.route('POST', '/rerank', async (_req, res) => {
      await new Promise((r) => setTimeout(r, 1_000));
      sendJson(res, 200, [{ index: 0, score: 1 }]);
    });
    try {
      const err = await catchError(createTeiReranker({ url: slow.url, timeoutMs: 100 }).score(QUERY, ['a']));
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).transient).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it('a response without a score for every passage is an error, not -Infinity', async () => {
    const partial = await startFakeTeiServer();
    partial.route('POST', '/rerank', (_req, res) => sendJson(res, 200, [{ index: 1, score: 0.9 }]));
    try {
      const err = await catchError(createTeiReranker({ url: partial.url }).score(QUERY, ['a', 'b']));
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).message).toContain('no score for passage 0');
    } finally {
      await partial.close();
    }
  });
});
