/**
 * `docent models pull`: fetch transformers models into the models folder while the network is there
 * (a Docker build, a laptop before a flight), so the bot later runs with remote loading disabled.
 *
 * It downloads by doing exactly what the embedder does — instantiate the pipeline — so the files that land
 * on disk are precisely the files the embedder will ask for (config, tokenizer, onnx/model.onnx), nothing more.
 */
import { ProviderError } from '../../core/errors.js';
import { loadFeatureExtractionPipeline, modelLoadError } from './transformers-embedder.js';

export interface PullModelsOptions {
  /** Hub ids, e.g. `Xenova/all-MiniLM-L6-v2`. */
  models: string[];
  /** The models folder under the data dir (same value the embedder gets). */
  cacheDir: string;
  /** Human-readable progress lines ("Xenova/all-MiniLM-L6-v2: onnx/model.onnx 42%"). */
  onProgress?: (msg: string) => void;
  /** Which file variant to fetch. Default `fp32`. */
  dtype?: 'fp32' | 'q8';
  /** A hub mirror instead of https://huggingface.co/ (same path layout). */
  remoteHost?: string;
}

/**
 * Downloads each model (if not already present) and checks it loads.
 * @throws ProviderError naming the model and the host when a download fails; transient for network errors.
 */
export async function pullModels(opts: PullModelsOptions): Promise<void> {
  const say = opts.onProgress ?? (() => {});
  for (const model of opts.models) {
    say(`${model}: checking ${opts.cacheDir}`);
    // Progress events arrive many times a second per file; only whole-10% steps are worth a line.
    const lastStep = new Map<string, number>();
    try {
      const extractor = await loadFeatureExtractionPipeline({
        model,
        cacheDir: opts.cacheDir,
        allowRemote: true,
        dtype: opts.dtype ?? 'fp32',
        ...(opts.remoteHost ? { remoteHost: opts.remoteHost } : {}),
        onProgress: (info) => {
          if (!info.file) return;
          if (info.status === 'download') say(`${model}: fetching ${info.file}`);
          else if (info.status === 'done') say(`${model}: ${info.file} ready`);
          else if (info.status === 'progress' && typeof info.progress === 'number') {
            const step = Math.floor(info.progress / 10) * 10;
            if (step > (lastStep.get(info.file) ?? -1)) {
              lastStep.set(info.file, step);
              if (step > 0 && step < 100) say(`${model}: ${info.file} ${step}%`);
            }
          }
        },
      });
      await extractor.dispose();
      say(`${model}: ok`);
    } catch (e) {
      const base = modelLoadError({ model, cacheDir: opts.cacheDir, allowRemote: true }, e);
      const host = opts.remoteHost ?? 'https://huggingface.co/';
      throw new ProviderError('transformers', `could not pull ${model} from ${host}: ${base.message.replace(/^transformers: /, '')}`, {
        cause: e,
        transient: base.transient,
        hint: 'Check network access to the Hugging Face hub (or set HF_TOKEN for gated models), then run `docent models pull` again; without it, Docent answers with the offline word vectors (EMBEDDER=word-vectors).',
      });
    }
  }
}
