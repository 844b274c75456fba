import type { DocentConfig } from '../../config/schema.js';
import { AnswerCache } from '../core/answer/answer-cache.js';
import { createAnswerPipeline, type AnswerPipeline } from '../core/answer/answer-pipeline.js';
import { createFallbackChain, type FallbackChain } from '../core/answer/fallback-chain.js';
import { readManifest } from '../indexing/index-files.js';
import { runIndex, type IndexProgress, type IndexSummary } from '../indexing/indexer.js';
import type { Logger } from '../logging/logger.js';
import { EXTRACTIVE_ID } from '../providers/generators/extractive-generator.js';
import { resolveEmbedder, type ResolvedEmbedder } from './embedder-factory.js';
import { buildGenerators } from './generators.js';
import { createReranker } from './reranker-factory.js';
import { openSearchService, type SearchService } from './search-service.js';
import { openVectorStores, type OpenedStores } from './vector-stores.js';

export interface DocentRuntime {
  config: DocentConfig;
  stores: OpenedStores;
  embedder: ResolvedEmbedder;
  search: SearchService;
  chain: FallbackChain;
  pipeline: AnswerPipeline;
  close(): Promise<void>;
}

export interface OpenRuntimeOptions {
  /** Build the index first when there is none (the console chat's zero-config start). */
  indexIfEmpty?: boolean;
  onIndexProgress?: (p: IndexProgress) => void;
  onIndexed?: (s: IndexSummary) => void;
}

/**
 * The composition root for answering: Chroma, the embedder, the serving index, the reranker, the generator
 * chain and the answer pipeline. CLI commands and (later) chat adapters all start from here.
 */
export async function openRuntime(config: DocentConfig, logger: Logger, opts: OpenRuntimeOptions = {}): Promise<DocentRuntime> {
  const stores = await openVectorStores(config, logger);
  try {
    const embedder = await resolveEmbedder(config, readManifest(config.dataDir), logger);
    if (opts.indexIfEmpty && !readManifest(config.dataDir)) {
      const summary = await runIndex({
        dataDir: config.dataDir, sources: config.sources, chunking: config.chunking,
        loader: { maxFileBytes: config.loader.maxFileMb * 2 ** 20, fetchTimeoutMs: config.loader.fetchTimeoutMs },
        embedder: embedder.embedder, batchSize: config.embedder.batchSize, stores: stores.stores, logger,
        ...(opts.onIndexProgress ? { onProgress: opts.onIndexProgress } : {}),
      });
      opts.onIndexed?.(summary);
    }
    const reranker = await createReranker(config, logger, embedder.embedder.id);
    const search = await openSearchService(config, { stores, embedder, reranker, logger });
    const generators = await buildGenerators(config);
    const a = config.answer;
    const chain = createFallbackChain({
      backends: generators.map((generator) => ({
        generator,
        // The extractive answer is local and instant; the limits are for remote models.
        firstTokenTimeoutMs: generator.id === EXTRACTIVE_ID ? 5_000 : a.firstTokenTimeoutMs,
        totalTimeoutMs: generator.id === EXTRACTIVE_ID ? 10_000 : a.totalTimeoutMs,
        retries: generator.id === EXTRACTIVE_ID ? 0 : a.retries,
      })),
      breaker: { failureThreshold: a.breakerFailures, cooldownMs: a.breakerCooldownMs },
      backoff: { baseMs: 500, maxMs: 8_000 },
      logger,
    });
    const pipeline = createAnswerPipeline({
      retriever: search.retriever,
      chain,
      rewriter: generators.find((g) => g.id !== EXTRACTIVE_ID),
      cache: new AnswerCache(a.cacheTtlSeconds * 1000, a.cacheMaxEntries),
      indexVersion: () => search.manifest.version,
      settings: {
        k: a.k, catalogName: a.catalogName, historyTurns: a.historyTurns, maxPassageChars: a.maxPassageChars,
        maxTokens: a.maxTokens, temperature: a.temperature, rewriteTimeoutMs: a.rewriteTimeoutMs,
        minVectorScore: a.minVectorScore, minCoverage: a.minCoverage,
      },
    });
    return {
      config, stores, embedder, search, chain, pipeline,
      close: async () => {
        await embedder.embedder.close?.();
        await stores.close();
      },
    };
  } catch (err) {
    await stores.close();
    throw err;
  }
}
