/**
 * Local sentence embeddings with @huggingface/transformers (ONNX Runtime on CPU, in process).
 *
 * Models live in a folder under the data dir (`<dataDir>/models`), laid out the way transformers.js expects:
 * `<cacheDir>/<owner>/<name>/{config.json,tokenizer.json,tokenizer_config.json,onnx/model.onnx}`
 * (`onnx/model_quantized.onnx` for dtype q8). The download cache and the local-model folder are the same
 * directory, so a model fetched once by `docent models pull` is found later with remote loading disabled.
 */
import { pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { ProviderError } from '../../core/errors.js';
import { withTransformersEnv } from '../transformers-env.js';
import type { Embedder } from '../../core/ports/embedder.js';
import { normalize } from './vectors.js';

export const DEFAULT_TRANSFORMERS_MODEL = 'Xenova/all-MiniLM-L6-v2';

/** What to do when the model is not on disk. Shared with `docent models pull`. */
export const MISSING_MODEL_HINT = 'run `docent models pull` on a machine with internet, or set EMBEDDER=word-vectors (offline, no download)';

export interface TransformersEmbedderOptions {
  /** Hub model id (or a folder name under `cacheDir`). Default `Xenova/all-MiniLM-L6-v2`. */
  model?: string;
  /** The models folder under the data dir; downloads are cached here and local models are read from here. */
  cacheDir: string;
  /** May transformers download missing files from the hub? False on offline machines and in tests. */
  allowRemote: boolean;
  /** Sentence pooling over token vectors. MiniLM/e5/bge-style models want `mean` (default); some want `cls`. */
  pooling?: 'mean' | 'cls';
  /** Prepended to queries, e.g. `query: ` for e5 models. */
  queryPrefix?: string;
  /** Prepended to documents, e.g. `passage: ` for e5 models. */
  documentPrefix?: string;
  /** Texts per forward pass. Bigger is faster until padding to the longest text dominates. Default 16. */
  batchSize?: number;
  /** `fp32` loads onnx/model.onnx, `q8` onnx/model_quantized.onnx (smaller, slightly different vectors). */
  dtype?: 'fp32' | 'q8';
}

/** Internal seam shared with model-pull.ts: load a pipeline with the process-wide env set for `cacheDir`. */
export interface LoadPipelineOptions {
  model: string;
  cacheDir: string;
  allowRemote: boolean;
  dtype: 'fp32' | 'q8';
  /** Overrides `env.remoteHost` (a hub mirror; tests point it at a dead loopback port). */
  remoteHost?: string;
  onProgress?: (info: { status: string; file?: string; progress?: number }) => void;
}

/** Loads a feature-extraction pipeline under the process-wide env lock. Errors are transformers' own. */
export function loadFeatureExtractionPipeline(o: LoadPipelineOptions): Promise<FeatureExtractionPipeline> {
  return withTransformersEnv(o, () =>
    pipeline('feature-extraction', o.model, {
      cache_dir: o.cacheDir,
      local_files_only: !o.allowRemote,
      dtype: o.dtype,
      device: 'cpu',
      ...(o.onProgress ? { progress_callback: o.onProgress as (info: unknown) => void } : {}),
    }),
  );
}

/**
 * Turns a load failure into a ProviderError that says where the model was expected and what to do.
 * A missing file is permanent (no retry helps); a network failure while downloading is transient.
 */
export function modelLoadError(o: { model: string; cacheDir: string; allowRemote: boolean }, cause: unknown): ProviderError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const missing =
    (cause instanceof Error && cause.name === 'ModelFileNotFoundError') ||
    /not (been )?found|no such file|ENOENT|allowRemoteModels=false|local_files_only/i.test(detail);
  const network = !missing && /fetch failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|network|socket/i.test(detail + String((cause as { cause?: unknown })?.cause ?? ''));
  const where = `${o.cacheDir}/${o.model}`;
  const message = missing
    ? o.allowRemote
      ? `model ${o.model} is not in ${where} and could not be downloaded (${detail})`
      : `model ${o.model} is not in ${where} and downloading is disabled (${detail})`
    : network
      ? `could not download model ${o.model}: ${detail}`
      : `could not load model ${o.model} from ${where}: ${detail}`;
  return new ProviderError('transformers', message, { cause, transient: network, hint: MISSING_MODEL_HINT });
}

/** Settings that change the vectors are part of the id, so an index built with other settings is refused. */
function embedderId(model: string, o: TransformersEmbedderOptions): string {
  const extra = new URLSearchParams();
  if (o.pooling && o.pooling !== 'mean') extra.set('pooling', o.pooling);
  if (o.dtype && o.dtype !== 'fp32') extra.set('dtype', o.dtype);
  if (o.queryPrefix) extra.set('query', o.queryPrefix);
  if (o.documentPrefix) extra.set('doc', o.documentPrefix);
  const q = extra.toString();
  return `transformers:${model}${q ? `?${q}` : ''}`;
}

/**
 * Creates an embedder that runs a sentence-transformers ONNX model in process. Loads the model and embeds a
 * probe string before returning, so a missing or broken model fails at start-up, not on the first question,
 * and `dimension` is the model's real output size.
 * @throws ProviderError with a hint when the model is not on disk and cannot be downloaded.
 */
export async function createTransformersEmbedder(opts: TransformersEmbedderOptions): Promise<Embedder> {
  const model = opts.model ?? DEFAULT_TRANSFORMERS_MODEL;
  const pooling = opts.pooling ?? 'mean';
  const batchSize = Math.max(1, opts.batchSize ?? 16);
  const queryPrefix = opts.queryPrefix ?? '';
  const documentPrefix = opts.documentPrefix ?? '';

  let extractor: FeatureExtractionPipeline;
  try {
    extractor = await loadFeatureExtractionPipeline({
      model,
      cacheDir: opts.cacheDir,
      allowRemote: opts.allowRemote,
      dtype: opts.dtype ?? 'fp32',
    });
  } catch (e) {
    throw modelLoadError({ model, cacheDir: opts.cacheDir, allowRemote: opts.allowRemote }, e);
  }

  // One forward pass at a time: ONNX Runtime already uses every core for one batch, and interleaving
  // batches from two callers would only add memory pressure on a 2-vCPU Space.
  let runQueue: Promise<unknown> = Promise.resolve();
  const runExclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = runQueue.then(fn, fn);
    runQueue = result.catch(() => undefined);
    return result;
  };

  const embedBatch = async (texts: string[]): Promise<number[][]> => {
    try {
      const output = await runExclusive(() => extractor(texts, { pooling, normalize: true }));
      const rows = output.tolist() as number[][];
      // The pipeline already L2-normalises; doing it again in float64 removes float32 drift, which
      // keeps "unit length" exact for the stores that assume cosine = dot product.
      return rows.map((r) => normalize(Array.from(r, Number)));
    } catch (e) {
      throw new ProviderError('transformers', `embedding failed with ${model}: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });
    }
  };

  const embedMany = async (texts: string[]): Promise<number[][]> => {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += batchSize) out.push(...(await embedBatch(texts.slice(i, i + batchSize))));
    return out;
  };

  const probe = await embedBatch([`${documentPrefix}dimension probe`]);
  const dimension = probe[0]?.length ?? 0;
  if (dimension === 0) throw new ProviderError('transformers', `model ${model} returned an empty vector`);

  return {
    id: embedderId(model, opts),
    dimension,
    embedDocuments: (texts) => (texts.length === 0 ? Promise.resolve([]) : embedMany(texts.map((t) => documentPrefix + t))),
    embedQuery: async (text) => (await embedBatch([queryPrefix + text]))[0]!,
    close: () => extractor.dispose(),
  };
}
