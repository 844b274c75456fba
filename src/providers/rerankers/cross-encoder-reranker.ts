/**
 * A local cross-encoder reranker through @huggingface/transformers (ONNX Runtime on CPU, in process).
 *
 * Models live in the same models folder as the transformers embedder, with the same layout
 * (`<cacheDir>/<owner>/<name>/{config.json,tokenizer.json,tokenizer_config.json,onnx/model.onnx}`), so
 * `docent models pull` fetches both and the bot later runs with remote loading disabled.
 */
import { AutoModelForSequenceClassification, AutoTokenizer } from '@huggingface/transformers';
import { ProviderError } from '../../core/errors.js';
import { modelLoadError } from '../embedders/transformers-embedder.js';
import { withTransformersEnv } from '../transformers-env.js';
import type { Reranker } from '../../core/ports/reranker.js';

export const DEFAULT_CROSS_ENCODER_MODEL = 'Xenova/ms-marco-MiniLM-L-6-v2';

/** What to do when the reranker model is not on disk. */
export const MISSING_RERANK_MODEL_HINT =
  'run `docent models pull` on a machine with internet, or set RERANKER=none (or RERANKER=word-vectors, which needs no model download)';

/** Options for {@link createCrossEncoderReranker}. */
export interface CrossEncoderRerankerOptions {
  /** Hub model id (or a folder name under `cacheDir`), e.g. `Xenova/ms-marco-MiniLM-L-6-v2`. */
  model: string;
  /** The models folder under the data dir; downloads are cached here and local models are read from here. */
  cacheDir: string;
  /** May transformers download missing files from the hub? False on offline machines and in tests. */
  allowRemote: boolean;
  /** (query, passage) pairs per forward pass. Default 16. */
  batchSize?: number;
  /**
   * `fp32` loads onnx/model.onnx, `q8` onnx/model_quantized.onnx (about 4× smaller and faster on CPU).
   * Default `fp32`, because that is the file `docent models pull` fetches: a q8 default would find nothing
   * on an offline machine after a successful pull.
   */
  dtype?: 'fp32' | 'q8';
  /** Tokens per pair (query + passage + 3 special tokens); the passage is cut to fit. Default 512. */
  maxLength?: number;
}


// A cross-encoder reads at most `maxLength` tokens; a passage of this many characters already overflows
// 512 tokens, so cutting here only saves tokenising text that truncation would throw away.
const MAX_PASSAGE_CHARS = 4000;

type Tokenizer = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
type Model = Awaited<ReturnType<typeof AutoModelForSequenceClassification.from_pretrained>>;

/**
 * Creates a reranker that reads query and passage together (slower than embeddings, much better at
 * ordering a short list). Loads the model and scores a probe pair before returning, so a missing or broken
 * model fails at start-up rather than on the first question.
 * @throws ProviderError with {@link MISSING_RERANK_MODEL_HINT} when the model is not on disk and cannot be downloaded.
 */
export async function createCrossEncoderReranker(opts: CrossEncoderRerankerOptions): Promise<Reranker> {
  const { model: modelId, cacheDir, allowRemote } = opts;
  const dtype = opts.dtype ?? 'fp32';
  const batchSize = Math.max(1, opts.batchSize ?? 16);
  const maxLength = opts.maxLength ?? 512;

  let tokenizer: Tokenizer;
  let model: Model;
  try {
    const shared = { cache_dir: cacheDir, local_files_only: !allowRemote };
    [tokenizer, model] = await withTransformersEnv(opts, async () => {
      // Model first: it reads config.json and says "file was not found locally at …" when the model is
      // absent, whereas the tokenizer only fails later with an opaque TypeError.
      const m = await AutoModelForSequenceClassification.from_pretrained(modelId, { ...shared, dtype, device: 'cpu' });
      try {
        return [await AutoTokenizer.from_pretrained(modelId, shared), m] as const;
      } catch (e) {
        await m.dispose();
        const detail = e instanceof Error ? e.message : String(e);
        throw new Error(`tokenizer.json or tokenizer_config.json not found or unreadable (${detail})`, { cause: e });
      }
    });
  } catch (e) {
    // Same diagnosis as the embedder (missing file vs network), but the reranker's own name and hint.
    const base = modelLoadError({ model: modelId, cacheDir, allowRemote }, e);
    throw new ProviderError('cross-encoder', base.message.replace(/^transformers: /, ''), {
      cause: e,
      transient: base.transient,
      hint: MISSING_RERANK_MODEL_HINT,
    });
  }

  // One forward pass at a time: ONNX Runtime already uses every core for one batch, and interleaving two
  // callers' batches would only add memory pressure on a 2-vCPU Space.
  let runQueue: Promise<unknown> = Promise.resolve();
  const runExclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = runQueue.then(fn, fn);
    runQueue = result.catch(() => undefined);
    return result;
  };

  const scoreBatch = async (query: string, passages: string[]): Promise<number[]> => {
    let logits: { data: ArrayLike<number>; dims: number[] } | undefined;
    try {
      // text_pair puts each passage in segment B ([CLS] query [SEP] passage [SEP]), the layout the model
      // was trained on; padding to the longest pair comes with an attention mask that hides the padding.
      const inputs = tokenizer(new Array<string>(passages.length).fill(query), {
        text_pair: passages.map((p) => p.slice(0, MAX_PASSAGE_CHARS)),
        padding: true,
        truncation: true,
        max_length: maxLength,
      });
      ({ logits } = (await runExclusive(() => model(inputs))) as { logits: typeof logits });
    } catch (e) {
      throw new ProviderError('cross-encoder', `scoring failed with ${modelId}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    // A sequence-classification head gives [pairs, 1] (or [pairs, 2]); anything else is another kind of model.
    const dims = logits?.dims ?? [];
    const width = dims[1] ?? 1;
    if (!logits || dims.length !== 2 || dims[0] !== passages.length || width > 2) {
      const shape = logits ? `logits shape [${dims.join(', ')}]` : 'no logits output';
      throw new ProviderError('cross-encoder', `${modelId} is not a reranker: ${shape} for ${passages.length} pairs`, {
        hint: 'Set RERANK_MODEL to a cross-encoder such as Xenova/ms-marco-MiniLM-L-6-v2.',
      });
    }
    const out: number[] = [];
    for (let j = 0; j < passages.length; j++) {
      const row = j * width;
      // One logit (ms-marco style) is the relevance itself. With two classes, [irrelevant, relevant], the
      // difference is the log-odds of "relevant": softmax ranks by it, whereas the raw second logit does not.
      out.push(width === 1 ? Number(logits.data[row]) : Number(logits.data[row + 1]) - Number(logits.data[row]));
    }
    return out;
  };

  try {
    await scoreBatch('probe', ['probe']);
  } catch (e) {
    await model.dispose();
    throw e;
  }

  return {
    id: `cross-encoder:${modelId}${dtype === 'fp32' ? '' : `?dtype=${dtype}`}`,
    async score(query, passages) {
      const out: number[] = [];
      for (let i = 0; i < passages.length; i += batchSize) out.push(...(await scoreBatch(query, passages.slice(i, i + batchSize))));
      return out;
    },
    async close() {
      await model.dispose();
    },
  };
}
