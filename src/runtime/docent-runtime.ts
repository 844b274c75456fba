import type { DocentServices } from '../../commands/services.js';
import type { DocentConfig } from '../../config/schema.js';
import { AdmissionControl } from '../core/answer/admission.js';
import { AnswerCache } from '../core/answer/answer-cache.js';
import { createAnswerPipeline, type AnswerPipeline } from '../core/answer/answer-pipeline.js';
import { createFallbackChain, type FallbackChain } from '../core/answer/fallback-chain.js';
import { statSync } from 'node:fs';
import { hasServingIndex, indexPaths, readManifest } from '../indexing/index-files.js';
import { runIndex, type IndexSummary } from '../indexing/indexer.js';
import type { IndexProgress } from '../core/index-report.js';
import type { Logger } from '../logging/logger.js';
import { EXTRACTIVE_ID } from '../providers/generators/extractive-generator.js';
import { ActivityLog } from './activity-log.js';
import { unmatchedScopeEntries } from '../core/channel-scope.js';
import { createDocentServices } from './docent-services.js';
import { resolveEmbedder, type ResolvedEmbedder } from './embedder-factory.js';
import { buildGenerators } from './generators.js';
import { createReindexRunner, type ReindexRunner } from './reindex-runner.js';
import { createReranker } from './reranker-factory.js';
import { startReindexSchedule } from './reindex-schedule.js';
import { createChromaRunCoordinator } from '../stores/chroma-lease.js';
import { openSearchService, type SearchService } from './search-service.js';
import { openVectorStores, type OpenedStores } from './vector-stores.js';
import { loaderLimits } from '../indexing/loader-limits.js';
import { fetchPolicyFromConfig } from '../indexing/loaders/fetch-policy.js';
import { withIndexLock } from '../indexing/index-lock.js';
import { planSources, rememberSources } from './indexed-sources.js';
import type { ReadinessProbes } from '../server/readiness.js';

/**
 * What an entry point (`docent start`, `chat`, `ask`) uses of a running Docent: the services every surface goes
 * through, the two probes `/readyz` needs, and `close`. Nothing else: a surface that wants more should get it
 * as a service, so every entry point keeps the same admission, activity record and access policy.
 */
export interface DocentRuntime {
  readonly services: DocentServices;
  readonly probes: ReadinessProbes;
  close(): Promise<void>;
}

/**
 * The runtime with its parts showing, as `openRuntime` returns it: for the eval harness, the benchmarks and the
 * tests that look inside (the serving index, the chain's breakers). Production entry points type it as
 * DocentRuntime.
 */
export interface OpenedRuntime extends DocentRuntime {
  config: DocentConfig;
  stores: OpenedStores;
  embedder: ResolvedEmbedder;
  /** The serving index; replaced after every successful reindex. */
  readonly search: SearchService;
  chain: FallbackChain;
  pipeline: AnswerPipeline;
  reindex: ReindexRunner;
}

function manifestMtimeMs(dataDir: string): number {
  try {
    return statSync(indexPaths(dataDir).manifest).mtimeMs;
  } catch {
    return 0;
  }
}

export interface OpenRuntimeOptions {
  /** Build the index first when there is none (the console chat's zero-config start). */
  indexIfEmpty?: boolean;
  onIndexProgress?: (p: IndexProgress) => void;
  onIndexed?: (s: IndexSummary) => void;
  /** Start the configured reindex schedule (long-running platform processes). */
  schedule?: boolean;
}

/**
 * The composition root for answering: Chroma, the embedder, the serving index, the reranker, the generator
 * chain, the answer pipeline, the reindex runner and the services commands use. CLI commands and chat
 * adapters all start from here.
 */
export async function openRuntime(config: DocentConfig, logger: Logger, opts: OpenRuntimeOptions = {}): Promise<OpenedRuntime> {
  const stores = await openVectorStores(config, logger);
  try {
    const embedder = await resolveEmbedder(config, readManifest(config.dataDir), logger);
    if (opts.indexIfEmpty && !hasServingIndex(config.dataDir)) {
      // Behind the data dir's index lock (index-lock.ts): a `docent index` already building one is waited for,
      // and its index is then used rather than built twice.
      await withIndexLock(config.dataDir, { what: 'first index at start-up', wait: true, onWait: (h) => logger.warn({ pid: h.pid, startedAt: h.startedAt }, 'waiting for another index run on this data dir') }, async () => {
        if (hasServingIndex(config.dataDir)) return;
        // The remembered sources when the index was lost or is from an older Docent, else the configured ones.
        const plan = planSources({ dataDir: config.dataDir, configured: config.sources, manifest: readManifest(config.dataDir) });
        const summary = await runIndex({
          dataDir: config.dataDir, sources: plan.sources, chunking: config.chunking,
          loader: loaderLimits(config.loader),
          fetchPolicy: fetchPolicyFromConfig(config.loader),
          embedder: embedder.embedder, batchSize: config.embedder.batchSize, stores: stores.stores, logger,
          ...(opts.onIndexProgress ? { onProgress: opts.onIndexProgress } : {}),
        });
        rememberSources(config.dataDir, plan.sources, config.sources);
        opts.onIndexed?.(summary);
      });
    }
    const reranker = await createReranker(config, logger, embedder.embedder.id);
    let search = await openSearchService(config, { stores, embedder, reranker, logger });
    // A replica sharing the data dir sees another process's new version through the manifest; a stat per
    // question is cheap, and only a changed mtime costs a read.
    let manifestMtime = manifestMtimeMs(config.dataDir);
    // The replaced version's keyword index is closed once the searches still running on it are done.
    const swapTo = (next: SearchService): void => {
      const old = search;
      search = next;
      old.retriever.close();
    };
    const followManifest = async (): Promise<void> => {
      const m = manifestMtimeMs(config.dataDir);
      if (m === manifestMtime) return;
      manifestMtime = m;
      await reloadIfStale();
    };
    const reloadIfStale = async (): Promise<boolean> => {
      const current = readManifest(config.dataDir);
      if (!current || current.version === search.manifest.version) return false;
      swapTo(await openSearchService(config, { stores, embedder, reranker, logger }));
      logger.info({ version: search.manifest.version }, 'switched to the index version another process built');
      return true;
    };
    const generators = await buildGenerators(config);
    const chain = createFallbackChain({
      backends: generators.map((generator) => ({
        generator,
        // The extractive answer is local and instant; the limits are for remote models.
        firstTokenTimeoutMs: generator.id === EXTRACTIVE_ID ? 5_000 : config.answer.firstTokenTimeoutMs,
        totalTimeoutMs: generator.id === EXTRACTIVE_ID ? 10_000 : config.answer.totalTimeoutMs,
        retries: generator.id === EXTRACTIVE_ID ? 0 : config.answer.retries,
      })),
      breaker: { failureThreshold: config.answer.breakerFailures, cooldownMs: config.answer.breakerCooldownMs },
      backoff: { baseMs: 500, maxMs: 8_000 },
      logger,
    });
    const a = config.answer;
    const pipeline = createAnswerPipeline({
      // Through `search`, not a captured retriever: a reindex swaps the serving index under running answers.
      retriever: {
        search: async (q, o) => {
          await followManifest();
          try {
            return await search.retriever.search(q, o);
          } catch (err) {
            // Another process (a CLI run, a replica sharing the data dir) built a newer version and has since
            // retired ours: follow the manifest to the version now serving and ask again, once.
            if (!(await reloadIfStale())) throw err;
            return search.retriever.search(q, o);
          }
        },
      },
      chain,
      rewriter: generators.find((g) => g.id !== EXTRACTIVE_ID),
      cache: new AnswerCache(a.cacheTtlSeconds * 1000, a.cacheMaxEntries),
      indexVersion: () => search.manifest.version,
      logger,
      settings: {
        k: a.k, catalogName: a.catalogName, historyTurns: a.historyTurns, maxPassageChars: a.maxPassageChars,
        maxTokens: a.maxTokens, temperature: a.temperature, rewriteTimeoutMs: a.rewriteTimeoutMs,
        minVectorScore: a.minVectorScore, minCoverage: a.minCoverage, minWeightedCoverage: a.minWeightedCoverage,
      },
    });
    const reindex = createReindexRunner({
      config, embedder: embedder.embedder, stores: stores.stores, logger,
      swap: async () => {
        swapTo(await openSearchService(config, { stores, embedder, reranker, logger }));
      },
    });
    const activity = await ActivityLog.open(config.dataDir, {
      retentionDays: config.activity.retentionDays, hashUsers: config.activity.hashUsers === 'on', hashKey: config.activity.hashKey, logger,
    });
    const unmatched = unmatchedScopeEntries(config.channelSources, config.sources);
    if (unmatched.length) logger.warn({ entries: unmatched }, 'CHANNEL_SOURCES names sources that are neither a configured source nor a path inside one; they match nothing');
    const schedule = opts.schedule && config.reindex.schedule
      ? startReindexSchedule({
          expression: config.reindex.schedule, timezone: config.reindex.timezone, leaseMs: config.reindex.leaseMinutes * 60_000,
          runner: reindex, logger,
          // Replicas share an external Chroma server; an embedded one belongs to this process alone.
          coordinator: config.chroma.url ? createChromaRunCoordinator({ ...config.chroma, logger }) : undefined,
        })
      : undefined;
    const admission = new AdmissionControl({
      maxConcurrent: config.answer.maxConcurrent, maxQueued: config.answer.maxQueued, perUser: config.answer.perUserLimit, maxWaitMs: config.answer.maxQueueWaitMs,
    });
    const services = createDocentServices({
      config, pipeline, chain, search: () => search, activity, reindex, schedule: () => schedule, admission,
      embedder: { id: embedder.embedder.id, fallback: embedder.fallback },
    });
    const runtime: OpenedRuntime = {
      config, stores, embedder, chain, pipeline, reindex, services,
      get search() {
        return search;
      },
      // Read at probe time through the getter above: a reindex swaps the serving index.
      probes: {
        indexLoaded: () => Boolean(runtime.search.manifest),
        pingVectorStore: () => stores.stores.list(),
      },
      close: async () => {
        await schedule?.stop();
        await activity.close();
        await embedder.embedder.close?.();
        search.retriever.close();
        // The cross-encoder holds an ONNX session; every search version shares this one reranker.
        await reranker?.close?.();
        await stores.close();
      },
    };
    return runtime;
  } catch (err) {
    await stores.close();
    throw err;
  }
}
