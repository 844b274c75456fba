import { hostname } from 'node:os';
import { ChromaUniqueError, type ChromaClient } from 'chromadb';
import { sha256 } from '../core/hash.js';
import type { Logger } from '../logging/logger.js';
import { createChromaClient, type ChromaStoreOptions } from './chroma-store.js';

/** The node-cron run-coordinator shape (kept structural so src/stores does not import node-cron). */
export interface RunCoordinator {
  shouldRun(key: string, ttlMs: number): Promise<boolean>;
}

/** First-claim-wins among replicas: true for exactly one caller per key while the claim lives. */
export interface SharedClaims {
  claim(key: string, ttlMs: number): Promise<boolean>;
}

type ChromaOptions = Pick<ChromaStoreOptions, 'url' | 'authToken' | 'authHeader' | 'tenant' | 'database'>;

const PREFIX = 'docent_lease_';
/** Expired claims are swept at most this often per process (each sweep lists the server's collections). */
const SWEEP_EVERY_MS = 60_000;

/**
 * Claims on a shared Chroma server: a claim is a collection named after its key. Creating a collection whose
 * name exists fails on the server, atomically, so exactly one replica wins each key. The claim records its
 * holder and expiry; expired claims are deleted by later claims (at most once a minute per process), so the
 * server does not fill up with them.
 */
function chromaClaims(client: ChromaClient, holder: string, log: Logger): SharedClaims {
  let lastSweep = 0;
  async function sweepExpired(): Promise<void> {
    const now = Date.now();
    if (now - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now;
    const page = 100;
    const expired: string[] = [];
    for (let offset = 0; ; offset += page) {
      const batch = await client.listCollections({ limit: page, offset });
      for (const c of batch) if (c.name.startsWith(PREFIX) && Number(c.metadata?.expiresAt ?? 0) < now) expired.push(c.name);
      if (batch.length < page) break;
    }
    for (const name of expired) await client.deleteCollection({ name }).catch(() => undefined);
  }
  return {
    async claim(key, ttlMs) {
      await sweepExpired().catch((err: unknown) => log.debug({ err }, 'lease sweep failed'));
      const name = `${PREFIX}${sha256(key).slice(0, 40)}`;
      try {
        // Only the key's kind is stored: a key can carry ids (a Slack channel and message ts) nobody needs there.
        await client.createCollection({ name, metadata: { kind: key.split(':')[0] ?? '', holder, expiresAt: Date.now() + ttlMs }, embeddingFunction: null });
        return true;
      } catch (err) {
        if (err instanceof ChromaUniqueError || /already exists/i.test(String((err as Error).message))) return false;
        throw err;
      }
    },
  };
}

/** Shared claims for anything replicas must do once (a retried Slack event delivered to another replica). */
export function createChromaClaims(opts: ChromaOptions & { logger: Logger; holder?: string }): SharedClaims {
  return chromaClaims(createChromaClient(opts), opts.holder ?? `${hostname()}:${process.pid}`, opts.logger.child({ component: 'chroma-lease' }));
}

/** Elects one process per scheduled run among replicas that share a Chroma server (key: task name + slot). */
export function createChromaRunCoordinator(opts: ChromaOptions & { logger: Logger; holder?: string }): RunCoordinator {
  const holder = opts.holder ?? `${hostname()}:${process.pid}`;
  const log = opts.logger.child({ component: 'chroma-lease' });
  const claims = chromaClaims(createChromaClient(opts), holder, log);
  return {
    async shouldRun(key, ttlMs) {
      const won = await claims.claim(key, ttlMs);
      if (won) log.info({ key, holder }, 'won the lease for this scheduled run');
      else log.info({ key }, 'another replica holds the lease for this scheduled run; skipping');
      return won;
    },
  };
}
