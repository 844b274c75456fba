import { hostname } from 'node:os';
import { ChromaUniqueError } from 'chromadb';
import { sha256 } from '../core/hash.js';
import type { Logger } from '../logging/logger.js';
import { createChromaClient, type ChromaStoreOptions } from './chroma-store.js';

/** The node-cron run-coordinator shape (kept structural so src/stores does not import node-cron). */
export interface RunCoordinator {
  shouldRun(key: string, ttlMs: number): Promise<boolean>;
}

const PREFIX = 'docent_lease_';

/**
 * Elects one process per scheduled run among replicas that share a Chroma server. A lease is a collection
 * named after the run's key (task name + scheduled slot): creating a collection whose name exists fails on the
 * server, atomically, so exactly one replica wins each slot. The lease records its holder and expiry; expired
 * leases are deleted on later elections, so the server does not fill up with them.
 */
export function createChromaRunCoordinator(opts: Pick<ChromaStoreOptions, 'url' | 'authToken' | 'authHeader' | 'tenant' | 'database'> & { logger: Logger; holder?: string }): RunCoordinator {
  const client = createChromaClient(opts);
  const holder = opts.holder ?? `${hostname()}:${process.pid}`;
  const log = opts.logger.child({ component: 'chroma-lease' });
  return {
    async shouldRun(key, ttlMs) {
      await sweepExpired().catch((err: unknown) => log.debug({ err }, 'lease sweep failed'));
      const name = `${PREFIX}${sha256(key).slice(0, 40)}`;
      try {
        await client.createCollection({ name, metadata: { key, holder, expiresAt: Date.now() + ttlMs }, embeddingFunction: null });
        log.info({ key, holder }, 'won the lease for this scheduled run');
        return true;
      } catch (err) {
        if (err instanceof ChromaUniqueError || /already exists/i.test(String((err as Error).message))) {
          log.info({ key }, 'another replica holds the lease for this scheduled run; skipping');
          return false;
        }
        throw err;
      }
    },
  };

  async function sweepExpired(): Promise<void> {
    const now = Date.now();
    for (const c of await client.listCollections()) {
      if (!c.name.startsWith(PREFIX)) continue;
      const expiresAt = Number(c.metadata?.expiresAt ?? 0);
      if (expiresAt < now) await client.deleteCollection({ name: c.name });
    }
  }
}
