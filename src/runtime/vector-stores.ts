import type { DocentConfig } from '../../config/schema.js';
import type { Logger } from '../logging/logger.js';
import { indexPaths } from '../indexing/index-files.js';
import type { VectorStoreFactory } from '../core/ports/vector-store.js';

export interface OpenedStores {
  stores: VectorStoreFactory;
  /** Where the Chroma server is, and whether Docent runs it. */
  chromaUrl: string;
  embedded: boolean;
  /** pid of the Chroma server Docent runs (for memory figures); undefined for an external server. */
  serverPid?: () => number | undefined;
  close(): Promise<void>;
}

/**
 * Connects to Chroma: the server at CHROMA_URL when set, else a local server Docent starts, supervises and
 * stops (files under <dataDir>/chroma). Both go through the same client code path.
 */
export async function openVectorStores(config: DocentConfig, logger: Logger): Promise<OpenedStores> {
  const { createChromaStoreFactory } = await import('../stores/chroma-store.js');
  const auth = config.chroma.authToken ? { authToken: config.chroma.authToken, authHeader: config.chroma.authHeader } : {};
  const clientOpts = { tenant: config.chroma.tenant, database: config.chroma.database, logger, ...auth };
  if (config.chroma.url) {
    const stores = await createChromaStoreFactory({ url: config.chroma.url, ...clientOpts });
    return { stores, chromaUrl: config.chroma.url, embedded: false, close: () => stores.close() };
  }
  const { startChromaServer } = await import('../stores/chroma-supervisor.js');
  const server = await startChromaServer({ dataDir: indexPaths(config.dataDir).root, logger });
  try {
    const stores = await createChromaStoreFactory({ url: server.url, logger });
    return {
      stores,
      chromaUrl: server.url,
      embedded: true,
      serverPid: () => server.pid,
      close: async () => {
        await stores.close();
        await server.stop();
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
