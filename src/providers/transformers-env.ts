import { env } from '@huggingface/transformers';

/** Where transformers.js should look for (and may download) model files. */
export interface TransformersEnvOptions {
  /** The models folder under the data dir: downloads are cached here and local models are read from here. */
  cacheDir: string;
  allowRemote: boolean;
  /** Overrides `env.remoteHost` (a hub mirror; tests point it at a dead loopback port). */
  remoteHost?: string;
}

// transformers.js keeps its settings in one global `env`, read while a model loads. Every load in the process
// (embedder, cross-encoder, `models pull`) goes through this one queue, so two loads with different folders
// or remote settings never see each other's settings half-way through.
let loadQueue: Promise<unknown> = Promise.resolve();
const DEFAULT_REMOTE_HOST = env.remoteHost;

/** Runs `load` with the global env set for `o`, after every earlier load has finished. */
export function withTransformersEnv<T>(o: TransformersEnvOptions, load: () => Promise<T>): Promise<T> {
  const run = async (): Promise<T> => {
    env.cacheDir = o.cacheDir;
    env.localModelPath = o.cacheDir;
    env.allowLocalModels = true;
    env.allowRemoteModels = o.allowRemote;
    env.useFSCache = true;
    env.remoteHost = o.remoteHost ?? DEFAULT_REMOTE_HOST;
    return load();
  };
  const result = loadQueue.then(run, run);
  loadQueue = result.catch(() => undefined);
  return result;
}
