import type { DocentConfig } from '../../config/schema.js';
import { ProviderError } from '../core/errors.js';
import type { Logger } from '../logging/logger.js';
import type { Embedder } from '../core/ports/embedder.js';
import { createHashEmbedder } from '../providers/embedders/hash-embedder.js';
import { indexPaths, type IndexManifest } from '../indexing/index-files.js';

export interface ResolvedEmbedder {
  embedder: Embedder;
  /** Why this one was chosen, for `docent status` and logs. */
  reason: string;
  /** True when the no-download fallback is active (lower quality; the README says how much). */
  fallback: boolean;
}

/**
 * Chooses and builds the embedder. `auto` keeps whatever built the current index (switching silently would
 * make every search an embedder-mismatch error); for a new index it prefers the transformers model and falls
 * back to the no-download word-vectors embedder when the model can't be loaded (offline, no cache).
 */
export async function resolveEmbedder(config: DocentConfig, manifest: IndexManifest | null, logger: Logger): Promise<ResolvedEmbedder> {
  const e = config.embedder;
  const modelsDir = indexPaths(config.dataDir).modelsDir;
  if (e.provider !== 'auto') {
    return { embedder: await build(e.provider, undefined, config, modelsDir), reason: `EMBEDDER=${e.provider}`, fallback: e.provider === 'word-vectors' || e.provider === 'hash' };
  }
  if (manifest) {
    const [kind, ...rest] = manifest.embedder.id.split(':');
    const model = rest.join(':');
    const provider = kindToProvider(kind ?? '');
    if (provider) {
      const embedder = await build(provider, model, config, modelsDir);
      return { embedder, reason: 'auto: the embedder that built the current index', fallback: provider === 'word-vectors' || provider === 'hash' };
    }
  }
  try {
    const embedder = await withTimeout(build('transformers', e.model, config, modelsDir), e.autoTimeoutMs, `loading ${e.model}`);
    return { embedder, reason: `auto: ${e.model} loaded`, fallback: false };
  } catch (err) {
    logger.warn(
      { err: (err as Error).message },
      `could not load ${e.model}; using the no-download word-vectors embedder (lower quality). ` +
        'Run `docent models pull` with internet access, then `EMBEDDER=transformers docent index`.',
    );
    const embedder = await build('word-vectors', undefined, config, modelsDir);
    return { embedder, reason: `auto: fallback, ${e.model} could not be loaded (${(err as Error).message.split('\n')[0]})`, fallback: true };
  }
}

type Provider = Exclude<DocentConfig['embedder']['provider'], 'auto'>;

function kindToProvider(kind: string): Provider | undefined {
  const map: Record<string, Provider> = { transformers: 'transformers', 'hf-api': 'hf-api', ollama: 'ollama', 'word-vectors': 'word-vectors', hash: 'hash' };
  return map[kind];
}

async function build(provider: Provider, model: string | undefined, config: DocentConfig, modelsDir: string): Promise<Embedder> {
  const e = config.embedder;
  switch (provider) {
    case 'hash':
      return createHashEmbedder();
    case 'word-vectors': {
      const { createWordVectorEmbedder } = await import('../providers/embedders/word-vector-embedder.js');
      return createWordVectorEmbedder({ cacheDir: modelsDir });
    }
    case 'transformers': {
      const { createTransformersEmbedder } = await import('../providers/embedders/transformers-embedder.js');
      return createTransformersEmbedder({ model: model ?? e.model, cacheDir: modelsDir, allowRemote: true, batchSize: e.batchSize });
    }
    case 'hf-api': {
      const { createHfApiEmbedder } = await import('../providers/embedders/hf-api-embedder.js');
      if (!config.hf.token) throw new ProviderError('hf-api', 'HF_TOKEN is not set', { hint: 'Set HF_TOKEN to a Hugging Face access token.' });
      return createHfApiEmbedder({ model: model ?? e.hfModel, token: config.hf.token, batchSize: e.batchSize });
    }
    case 'ollama': {
      const { createOllamaEmbedder } = await import('../providers/embedders/ollama-embedder.js');
      return createOllamaEmbedder({ host: config.ollama.host || 'http://127.0.0.1:11434', model: model ?? e.ollamaModel, batchSize: e.batchSize });
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderError('transformers', `${what} took longer than ${ms} ms`, { transient: true })), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
