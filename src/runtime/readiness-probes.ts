import type { ReadinessProbes } from '../server/readiness.js';
import type { DocentRuntime } from './docent-runtime.js';

/**
 * The two functions `/readyz` needs, read from the runtime at probe time: `search` is a getter a reindex swaps,
 * so it is never captured here.
 */
export function readinessProbes(runtime: Pick<DocentRuntime, 'search' | 'stores'>): ReadinessProbes {
  return {
    indexLoaded: () => Boolean(runtime.search.manifest),
    pingVectorStore: () => runtime.stores.stores.list(),
  };
}
