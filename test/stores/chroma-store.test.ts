import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, ProviderError } from '../../src/core/errors.js';
import { createChromaStoreFactory } from '../../src/stores/chroma-store.js';
import { findFreePort, startChromaServer, type ChromaServerHandle } from '../../src/stores/chroma-supervisor.js';
import type { VectorStoreFactory } from '../../src/core/ports/vector-store.js';
import { axis, makeChunk, uniqueName, vectorStoreContract } from './vector-store-contract.js';

const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
let dataDir: string;
let server: ChromaServerHandle;
let factory: VectorStoreFactory;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'docent-chroma-store-'));
  server = await startChromaServer({ dataDir, logger });
  factory = await createChromaStoreFactory({ url: server.url, logger });
});

afterAll(async () => {
  await factory?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('Chroma vector store (contract, real server)', () => {
  vectorStoreContract(() => factory);
});

describe('Chroma vector store specifics', () => {
  it('upserts in batches smaller than the request', async () => {
    const small = await createChromaStoreFactory({ url: server.url, batchSize: 7 });
    const store = await small.open(uniqueName('batch'), { embedderId: 'test-embedder@1', dimension: 8 });
    const chunks = Array.from({ length: 23 }, (_, i) => makeChunk(`b${i}`, { ordinal: i }));
    await store.upsert(chunks, chunks.map((_, i) => axis(i, i + 1, i / 10)));
    expect(await store.count()).toBe(23);
  });

  it('never asks for the default embedding package', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      const f = await createChromaStoreFactory({ url: server.url });
      const name = uniqueName('noef');
      const store = await f.open(name, { embedderId: 'e', dimension: 8 });
      await store.upsert([makeChunk('n')], [axis(0)]);
      await store.query(axis(0), 1);
      await f.open(name, { embedderId: 'e', dimension: 8 });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('maps connection refused to a transient ProviderError naming CHROMA_URL', async () => {
    const port = await findFreePort();
    const err = await createChromaStoreFactory({ url: `http://127.0.0.1:${port}` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).transient).toBe(true);
    expect((err as ProviderError).message).toContain(`127.0.0.1:${port}`);
    expect((err as ProviderError).hint).toContain('CHROMA_URL');
  });

  it('rejects URLs the client cannot use with a ConfigError', async () => {
    await expect(createChromaStoreFactory({ url: 'localhost:8000' })).rejects.toBeInstanceOf(ConfigError);
    await expect(createChromaStoreFactory({ url: 'ftp://h:1' })).rejects.toBeInstanceOf(ConfigError);
    await expect(createChromaStoreFactory({ url: 'http://h:1/chroma' })).rejects.toBeInstanceOf(ConfigError);
  });

  it('sends the auth token in the configured header', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const fake = http.createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end(req.url?.includes('pre-flight') ? '{"max_batch_size":100}' : '{"nanosecond heartbeat":1}');
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    try {
      await createChromaStoreFactory({ url, authToken: 's3cret' });
      await createChromaStoreFactory({ url, authToken: 't0ken', authHeader: 'X-Chroma-Token' });
      expect(seen[0]?.['authorization']).toBe('Bearer s3cret');
      expect(seen.at(-1)?.['x-chroma-token']).toBe('t0ken');
    } finally {
      fake.close();
    }
  });
});
