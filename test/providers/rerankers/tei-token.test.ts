/**
 * Which token the TEI reranker sends, asserted on what a loopback TEI fake received: RERANK_TOKEN when set;
 * HF_TOKEN only for a Hugging Face host over https (never to a self-hosted or plain-http endpoint); and
 * RERANKER=tei without a usable RERANK_URL stops start-up with one line naming the key.
 */
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { ConfigError } from '../../../src/core/errors.js';
import { isHuggingFaceUrl } from '../../../src/providers/hf-hosts.js';
import { createTeiReranker } from '../../../src/providers/rerankers/tei-reranker.js';
import { createReranker, teiToken } from '../../../src/runtime/reranker-factory.js';
import { startFakeTeiServer, type FakeTeiServer } from '../../fakes/fake-tei-server.js';

const HF_TOKEN = 'hf_AccountWideToken12345';
const logger = pino({ level: 'silent' });
let tei: FakeTeiServer;

beforeAll(async () => {
  tei = await startFakeTeiServer();
});
afterAll(async () => {
  await tei?.close();
});
beforeEach(() => {
  tei.requests.length = 0;
});

const configWith = (env: Record<string, string>) => loadConfig({ env: { RERANKER: 'tei', ...env } });

describe('TEI reranker tokens', () => {
  it('sends no HF_TOKEN to a self-hosted (loopback, plain http) endpoint', async () => {
    const reranker = await createReranker(configWith({ RERANK_URL: tei.url, HF_TOKEN }), logger);
    expect(await reranker!.score('flood map', ['flood zone map'])).toHaveLength(1);
    expect(tei.requests).toHaveLength(1);
    expect(tei.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('sends RERANK_TOKEN, not HF_TOKEN, when it is set', async () => {
    const reranker = await createReranker(configWith({ RERANK_URL: tei.url, HF_TOKEN, RERANK_TOKEN: 'tei-own-token' }), logger);
    await reranker!.score('flood map', ['flood zone map']);
    expect(tei.requests[0]!.headers.authorization).toBe('Bearer tei-own-token');
  });

  it('chooses HF_TOKEN only for Hugging Face hosts over https', () => {
    const token = (url: string) => teiToken({ retrieval: { ...configWith({ RERANK_URL: tei.url }).retrieval, rerankUrl: url, rerankToken: '' }, hf: { token: HF_TOKEN } });
    expect(token('https://abc123.us-east-1.aws.endpoints.huggingface.cloud')).toBe(HF_TOKEN);
    expect(token('https://my-reranker.hf.space/rerank')).toBe(HF_TOKEN);
    expect(token('https://router.huggingface.co/hf-inference/models/x')).toBe(HF_TOKEN);
    expect(token('http://router.huggingface.co/hf-inference/models/x')).toBeUndefined();
    expect(token('https://huggingface.co.evil.example/rerank')).toBeUndefined();
    expect(token('https://evil.example/huggingface.co')).toBeUndefined();
    expect(token(tei.url)).toBeUndefined();
    expect(isHuggingFaceUrl('https://HuggingFace.co./x')).toBe(true);
  });

  it('uses user:pass@ in RERANK_URL as Basic auth and shows the endpoint redacted', async () => {
    const withCreds = tei.url.replace('http://', 'http://teiuser:tei-pass-123@');
    const reranker = createTeiReranker({ url: withCreds });
    await reranker.score('flood', ['flood']);
    expect(tei.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('teiuser:tei-pass-123').toString('base64')}`);
    expect(reranker.id).toBe(`tei:${tei.url}/rerank`);
  });
});

describe('RERANKER=tei needs RERANK_URL', () => {
  it('stops start-up with one line naming the key, when it is missing or not http(s)', () => {
    for (const env of [{}, { RERANK_URL: 'ftp://reranker.internal/rerank' }] as Array<Record<string, string>>) {
      let err: unknown;
      try {
        configWith(env);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as ConfigError).message;
      expect(message).toMatch(/^retrieval\.rerankUrl \(RERANK_URL\): /);
      expect(message).not.toContain('\n');
    }
  });
});
