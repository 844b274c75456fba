import { AutoModelForSequenceClassification, AutoTokenizer, env } from '@huggingface/transformers';
import { ProviderError } from '../../core/errors.js';
import type { Reranker } from './reranker.js';

/**
 * A local cross-encoder (default Xenova/ms-marco-MiniLM-L-6-v2) through transformers.js: reads query and
 * passage together, which is slower than embeddings but much better at ordering a short list.
 * Needs the model in the models dir (`docent models pull` fetches it) or hub access.
 */
export async function createCrossEncoderReranker(opts: { model: string; cacheDir: string; allowRemote: boolean; batchSize?: number }): Promise<Reranker> {
  env.cacheDir = opts.cacheDir;
  env.localModelPath = opts.cacheDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = opts.allowRemote;
  let tokenizer: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  let model: Awaited<ReturnType<typeof AutoModelForSequenceClassification.from_pretrained>>;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(opts.model);
    model = await AutoModelForSequenceClassification.from_pretrained(opts.model, { dtype: 'q8' });
  } catch (err) {
    throw new ProviderError('cross-encoder', `cannot load ${opts.model}: ${(err as Error).message}`, {
      cause: err,
      hint: 'Run `docent models pull` with internet access, or set RERANKER=none.',
    });
  }
  const batchSize = opts.batchSize ?? 16;
  return {
    id: `cross-encoder:${opts.model}`,
    async score(query, passages) {
      const out: number[] = [];
      for (let i = 0; i < passages.length; i += batchSize) {
        const batch = passages.slice(i, i + batchSize);
        const inputs = tokenizer(new Array<string>(batch.length).fill(query), { text_pair: batch, padding: true, truncation: true });
        const { logits } = (await model(inputs)) as { logits: { data: Float32Array; dims: number[] } };
        // One logit per pair (ms-marco models); with two classes take the "relevant" one.
        const width = logits.dims[1] ?? 1;
        for (let j = 0; j < batch.length; j++) out.push(logits.data[j * width + (width - 1)]!);
      }
      return out;
    },
    async close() {
      await model.dispose();
    },
  };
}
