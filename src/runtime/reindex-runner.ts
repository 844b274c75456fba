import type { DocentConfig } from '../../config/schema.js';
import { DocentError } from '../core/errors.js';
import { runIndex, type IndexProgress, type IndexSummary } from '../indexing/indexer.js';
import type { Logger } from '../logging/logger.js';
import type { Embedder } from '../providers/embedders/embedder.js';
import type { VectorStoreFactory } from '../stores/vector-store.js';

export interface ReindexRunner {
  /** Runs one reindex; rejects with `reindex_busy` while another is running (schedule, admin command, CLI). */
  run(onProgress?: (p: IndexProgress) => void): Promise<IndexSummary>;
  readonly running: boolean;
}

/**
 * The one place a running process reindexes: no overlap, and the new version is swapped in (`swap`) before
 * the old one is dropped. A failure leaves the previous index serving and is rethrown for the caller to show.
 */
export function createReindexRunner(deps: {
  config: DocentConfig;
  embedder: Embedder;
  stores: VectorStoreFactory;
  logger: Logger;
  swap: () => Promise<void>;
}): ReindexRunner {
  let running = false;
  const c = deps.config;
  return {
    get running() {
      return running;
    },
    async run(onProgress) {
      if (running) throw new DocentError('reindex_busy', 'user', 'A reindex is already running.', { hint: 'Try again when it has finished.' });
      running = true;
      try {
        const summary = await runIndex({
          dataDir: c.dataDir, sources: c.sources, chunking: c.chunking,
          loader: { maxFileBytes: c.loader.maxFileMb * 2 ** 20, fetchTimeoutMs: c.loader.fetchTimeoutMs },
          embedder: deps.embedder, batchSize: c.embedder.batchSize, stores: deps.stores, logger: deps.logger,
          beforeRetire: deps.swap,
          ...(onProgress ? { onProgress } : {}),
        });
        deps.logger.info({ version: summary.version, changed: summary.changed, documents: summary.documents, skipped: summary.skipped.length, seconds: summary.seconds }, 'reindex finished');
        return summary;
      } catch (err) {
        deps.logger.error({ err }, 'reindex failed; the previous index is still serving');
        throw err;
      } finally {
        running = false;
      }
    },
  };
}
