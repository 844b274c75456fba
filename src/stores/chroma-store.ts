/**
 * VectorStore on a Chroma server (chromadb 3.x JS client, Chroma 1.x server). Embeddings are always
 * computed by Docent: collections are created with `embeddingFunction: null`, which keeps the client from
 * recording (and later trying to import) its default embedding package `@chroma-core/default-embed`.
 */
import { ChromaClient, type Collection, type Metadata } from 'chromadb';
import type { Logger } from 'pino';
import { ConfigError, DocentError, EmbedderMismatchError, ProviderError } from '../core/errors.js';
import type { Chunk, Filter } from '../core/types.js';
import { modifiedToEpochSeconds, normalizeKeyword } from '../core/filter.js';
import { filterToWhere, keywordFlagKey, sourceWhere } from './chroma-filter.js';
import { assertVectors } from './assert-vectors.js';
import type { IndexStamp, VectorHit, VectorStore, VectorStoreFactory } from '../core/ports/vector-store.js';

export interface ChromaStoreOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8000 (no path prefix: the client cannot use one). */
  url: string;
  authToken?: string;
  /** `Authorization` sends `Bearer <token>`; `X-Chroma-Token` sends the bare token. */
  authHeader?: 'Authorization' | 'X-Chroma-Token';
  tenant?: string;
  database?: string;
  logger?: Logger;
  /**
   * Records per upsert request. The server allows ~5k (`getMaxBatchSize()`), but 5k records of 1024-d
   * embeddings plus text approach its request-body limit, so Docent sends at most this many (default 1000).
   */
  batchSize?: number;
}

const PROVIDER = 'chroma';

/**
 * Flat Chroma metadata for a chunk: only what vector-search filters need (source, kind, date, keyword flags)
 * and the text hash. Text, titles and links live in the keyword index (SQLite), which the retriever reads by id;
 * Chroma indexes every metadata value it holds, so each field left out makes upserts cheaper (measured on
 * 10,000 catalog records: 1,690 chunks/s with text and display fields, 2,140 without).
 */
export function chunkToMetadata(c: Chunk): Metadata {
  const keywords = c.keywords.map(normalizeKeyword).filter((k) => k !== '');
  const md: Metadata = {
    sourceId: c.sourceId,
    sourceRoot: c.sourceRoot,
    kind: c.kind,
    textHash: c.textHash,
  };
  const ts = modifiedToEpochSeconds(c.modified);
  if (ts !== undefined) md['modifiedTs'] = ts;
  for (const k of keywords) md[keywordFlagKey(k)] = true;
  return md;
}

/** Turns a chromadb client error into a ProviderError (transient when retrying could help). */
export function toProviderError(err: unknown, url: string, action: string): DocentError {
  if (err instanceof DocentError) return err;
  const name = err instanceof Error ? err.name : '';
  const detail = err instanceof Error ? err.message : String(err);
  switch (name) {
    case 'ChromaConnectionError':
      return new ProviderError(PROVIDER, `cannot reach the Chroma server at ${url} (${action}).`, {
        transient: true,
        cause: err,
        hint: 'Start the Chroma server, or set CHROMA_URL to a running one (leave it empty to let Docent run its own).',
      });
    case 'ChromaServerError':
    case 'ChromaRateLimitError':
      return new ProviderError(PROVIDER, `server error while trying to ${action}: ${detail}`, {
        transient: true,
        cause: err,
        hint: `Check the Chroma server at ${url} (CHROMA_URL); retrying may help.`,
      });
    case 'ChromaUnauthorizedError':
    case 'ChromaForbiddenError':
      return new ProviderError(PROVIDER, `the server at ${url} refused access (${action}): ${detail}`, {
        cause: err,
        hint: 'Check CHROMA_AUTH_TOKEN and CHROMA_AUTH_HEADER for the server at CHROMA_URL.',
      });
    case 'ChromaNotFoundError':
      return new ProviderError(PROVIDER, `not found while trying to ${action}: ${detail}`, {
        cause: err,
        hint: 'Check CHROMA_TENANT and CHROMA_DATABASE, or run `docent index` to create the index.',
      });
    default:
      return new ProviderError(PROVIDER, `failed to ${action}: ${detail}`, {
        cause: err,
        hint: `Check the Chroma server at ${url} (CHROMA_URL).`,
      });
  }
}

class ChromaStore implements VectorStore {
  constructor(
    private readonly collection: Collection,
    private readonly stamp: IndexStamp,
    private readonly batchSize: number,
    private readonly call: <T>(action: string, fn: () => Promise<T>) => Promise<T>,
  ) {}

  async upsert(chunks: Chunk[], embeddings: number[][]): Promise<void> {
    assertVectors(this.stamp, embeddings, chunks);
    // Chroma rejects duplicate ids within one request; the last occurrence wins, as with repeated upserts.
    const lastIndex = new Map<string, number>();
    chunks.forEach((c, i) => lastIndex.set(c.id, i));
    const order = [...lastIndex.values()].sort((a, b) => a - b);
    for (let start = 0; start < order.length; start += this.batchSize) {
      const idx = order.slice(start, start + this.batchSize);
      const batch = idx.map((i) => chunks[i] as Chunk);
      await this.call(`upsert ${batch.length} chunks into ${this.collection.name}`, () =>
        this.collection.upsert({
          ids: batch.map((c) => c.id),
          embeddings: idx.map((i) => embeddings[i] as number[]),
          metadatas: batch.map(chunkToMetadata),
        }),
      );
    }
  }

  async query(vector: number[], k: number, filter?: Filter): Promise<VectorHit[]> {
    assertVectors(this.stamp, [vector]);
    if (k <= 0) return [];
    const where = filterToWhere(filter);
    const result = await this.call(`query ${this.collection.name}`, () =>
      this.collection.query({
        queryEmbeddings: [vector],
        nResults: Math.floor(k),
        ...(where ? { where } : {}),
        include: ['distances'],
      }),
    );
    const ids = result.ids[0] ?? [];
    const distances = result.distances?.[0] ?? [];
    // Cosine space: distance = 1 - cosine similarity.
    return ids.map((id, i) => ({ id, score: 1 - (distances[i] ?? 1) })).sort((a, b) => b.score - a.score);
  }

  async deleteBySource(source: string): Promise<void> {
    await this.call(`delete ${source} from ${this.collection.name}`, () =>
      this.collection.delete({ where: sourceWhere(source) }),
    );
  }

  async delete(ids: string[]): Promise<void> {
    for (let start = 0; start < ids.length; start += this.batchSize) {
      const batch = ids.slice(start, start + this.batchSize);
      await this.call(`delete ${batch.length} chunks from ${this.collection.name}`, () => this.collection.delete({ ids: batch }));
    }
  }

  async count(): Promise<number> {
    return this.call(`count ${this.collection.name}`, () => this.collection.count());
  }
}

function parseUrl(raw: string): { host: string; port: number; ssl: boolean } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError('CHROMA_URL', `"${raw}" is not a URL.`, 'Use e.g. http://127.0.0.1:8000, or leave it empty.');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ConfigError('CHROMA_URL', `must be http(s), got ${u.protocol}`, 'Use e.g. http://127.0.0.1:8000.');
  }
  if (u.pathname !== '/' && u.pathname !== '') {
    throw new ConfigError('CHROMA_URL', `path "${u.pathname}" is not supported by the chromadb client.`, 'Use the server root, e.g. http://host:8000.');
  }
  const ssl = u.protocol === 'https:';
  return { host: u.hostname, port: u.port ? Number(u.port) : ssl ? 443 : 80, ssl };
}

/**
 * Connects to a Chroma server and checks it answers (a heartbeat), so a wrong CHROMA_URL fails at start-up
 * with a ProviderError naming it rather than at the first question.
 */
/** A chromadb client for `opts.url` with auth headers, tenant and database — shared by the store and the lease. */
export function createChromaClient(opts: Pick<ChromaStoreOptions, 'url' | 'authToken' | 'authHeader' | 'tenant' | 'database'>): ChromaClient {
  const { host, port, ssl } = parseUrl(opts.url.replace(/\/+$/, ''));
  const headers: Record<string, string> = {};
  if (opts.authToken) {
    if ((opts.authHeader ?? 'Authorization') === 'Authorization') headers['Authorization'] = `Bearer ${opts.authToken}`;
    else headers['X-Chroma-Token'] = opts.authToken;
  }
  return new ChromaClient({ host, port, ssl, tenant: opts.tenant ?? 'default_tenant', database: opts.database ?? 'default_database', headers });
}

export async function createChromaStoreFactory(opts: ChromaStoreOptions): Promise<VectorStoreFactory> {
  const url = opts.url.replace(/\/+$/, '');
  const client = createChromaClient(opts);
  const log = opts.logger?.child({ component: 'chroma-store' });
  const call = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      const mapped = toProviderError(err, url, action);
      log?.debug({ err, action }, 'chroma call failed');
      throw mapped;
    }
  };

  await call('check the server (heartbeat)', () => client.heartbeat());
  const serverMax = await call('read the max batch size', () => client.getMaxBatchSize());
  const wanted = opts.batchSize ?? 1000;
  const batchSize = serverMax > 0 ? Math.min(wanted, serverMax) : wanted;
  log?.debug({ url, batchSize, serverMax }, 'connected to Chroma');

  return {
    async open(name: string, stamp: IndexStamp): Promise<VectorStore> {
      const collection = await call(`open collection ${name}`, () =>
        client.getOrCreateCollection({
          name,
          embeddingFunction: null,
          configuration: { hnsw: { space: 'cosine' } },
          metadata: { embedderId: stamp.embedderId, dimension: stamp.dimension, createdBy: 'docent' },
        }),
      );
      // get_or_create ignores our metadata when the collection already exists: compare what it recorded.
      const md = collection.metadata ?? {};
      const indexed = {
        id: typeof md['embedderId'] === 'string' ? md['embedderId'] : '(unknown)',
        dimension: typeof md['dimension'] === 'number' ? md['dimension'] : 0,
      };
      if (indexed.id !== stamp.embedderId || indexed.dimension !== stamp.dimension) {
        throw new EmbedderMismatchError(indexed, { id: stamp.embedderId, dimension: stamp.dimension });
      }
      const space = (collection.configuration as { hnsw?: { space?: string } | null }).hnsw?.space;
      if (space !== undefined && space !== 'cosine') {
        throw new DocentError('index_space_mismatch', 'config', `Collection ${name} uses ${space} distance, not cosine.`, {
          hint: 'Run `docent index` to rebuild it, or drop the collection.',
        });
      }
      return new ChromaStore(collection, { ...stamp }, batchSize, call);
    },

    async drop(name: string): Promise<void> {
      try {
        await client.deleteCollection({ name });
      } catch (err) {
        if (err instanceof Error && err.name === 'ChromaNotFoundError') return; // already gone
        throw toProviderError(err, url, `drop collection ${name}`);
      }
    },

    async rename(from: string, to: string): Promise<void> {
      const collection = await call(`open collection ${from}`, () => client.getCollection({ name: from, embeddingFunction: null } as never));
      await call(`rename collection ${from} to ${to}`, () => collection.modify({ name: to }));
    },

    async list(): Promise<string[]> {
      const names: string[] = [];
      const page = 100;
      for (let offset = 0; ; offset += page) {
        const cols = await call('list collections', () => client.listCollections({ limit: page, offset }));
        names.push(...cols.map((c) => c.name));
        if (cols.length < page) break;
      }
      return names.sort();
    },

    async close(): Promise<void> {
      // The client holds no sockets of its own (fetch keep-alive is pooled by undici).
    },
  };
}
