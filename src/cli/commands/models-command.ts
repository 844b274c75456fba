import type { Command } from 'commander';
import { indexPaths } from '../../indexing/index-files.js';
import { cliContext, type GlobalOptions } from '../context.js';

/**
 * `docent models pull`: fetches the transformers models (embedder, and the cross-encoder when configured) into
 * <dataDir>/models and prepares the word-vector table, so a Docker image or an offline machine needs no network.
 */
export function registerModelsCommand(program: Command): void {
  const models = program.command('models').description('Manage local models');
  models
    .command('pull')
    .description('Download the configured models into the data dir (for Docker images and offline use)')
    .option('-m, --model <id...>', 'model ids to fetch (default: the configured embedder and reranker models)')
    .action(async (opts: { model?: string[] }, cmd: Command) => {
      const { config } = cliContext(cmd.optsWithGlobals<GlobalOptions>());
      const cacheDir = indexPaths(config.dataDir).modelsDir;
      const wanted = opts.model?.length ? opts.model : [config.embedder.model, ...(config.retrieval.reranker === 'transformers' ? [config.retrieval.rerankModel] : [])];
      const { loadWordVectors } = await import('../../providers/embedders/word-vectors.js');
      const table = await loadWordVectors({ cacheDir });
      process.stdout.write(`word vectors ready: ${table.size} words (no-download fallback)\n`);
      const { pullModels } = await import('../../providers/embedders/model-pull.js');
      await pullModels({ models: wanted, cacheDir, onProgress: (m) => process.stdout.write(`${m}\n`) });
      process.stdout.write(`models in ${cacheDir}: ${wanted.join(', ')}\n`);
    });
}
