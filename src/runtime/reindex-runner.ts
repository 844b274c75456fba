import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DocentConfig } from '../../config/schema.js';
import { indexPaths, writeJsonAtomic } from '../indexing/index-files.js';
import { runIndex, type IndexSummary } from '../indexing/indexer.js';
import type { IndexProgress } from '../core/index-report.js';
import type { Logger } from '../logging/logger.js';
import type { Embedder } from '../core/ports/embedder.js';
import type { VectorStoreFactory } from '../core/ports/vector-store.js';
import { loaderLimits } from '../indexing/loader-limits.js';
import { fetchPolicyFromConfig } from '../indexing/loaders/fetch-policy.js';
import { DocentError } from '../core/errors.js';
import { withIndexLock, type LockHolder } from '../indexing/index-lock.js';
import { readManifest } from '../indexing/index-files.js';
import { describeRemoved, planSources, rememberSources, sourcesChangedError } from './indexed-sources.js';

/** Who asked for a reindex. */
export type ReindexTrigger = 'schedule' | 'admin' | 'cli';

/** The outcome of the last run of one trigger kind, kept across restarts for `status`. */
export interface RunRecord {
  trigger: ReindexTrigger;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  /** One line: "version 3, 12 changed…" or the error message. */
  summary: string;
}

/** What a caller may ask of one run (the CLI's flags); the schedule and the admin command use none. */
export interface ReindexRequest {
  /** `--source`: exactly these sources (else the remembered or configured ones: see indexed-sources.ts). */
  sources?: string[];
  /** `--replace`: a plain run may drop indexed sources the configuration no longer lists. */
  replace?: boolean;
  /** `--wait`: queue behind another process's index run on this data dir instead of failing. */
  wait?: boolean;
  onWait?: (holder: LockHolder) => void;
  /** The caller already holds the data dir's index lock (the CLI takes it before starting Chroma). */
  lockHeld?: boolean;
}

export interface ReindexRunner {
  /**
   * Runs a reindex, or — when one is already running — attaches to it: the caller gets that run's progress
   * from now on and its result. Never two runs at once (schedule, admin command, CLI share this runner).
   */
  run(trigger: ReindexTrigger, onProgress?: (p: IndexProgress) => void, request?: ReindexRequest): Promise<IndexSummary>;
  readonly running: boolean;
  /** The last run of each trigger kind. */
  lastRuns(): RunRecord[];
}

/**
 * The one place a running process reindexes. The new version is swapped in (`swap`) before the old one is
 * dropped; a failure leaves the previous index serving and is rethrown for every caller to show.
 */
export function createReindexRunner(deps: {
  config: DocentConfig;
  embedder: Embedder;
  stores: VectorStoreFactory;
  logger: Logger;
  swap: () => Promise<void>;
}): ReindexRunner {
  const c = deps.config;
  const historyFile = path.join(indexPaths(c.dataDir).indexDir, 'runs.json');
  const history = new Map<ReindexTrigger, RunRecord>(readHistory(historyFile).map((r) => [r.trigger, r]));
  let current: { promise: Promise<IndexSummary>; listeners: Set<(p: IndexProgress) => void> } | undefined;

  async function execute(trigger: ReindexTrigger, listeners: Set<(p: IndexProgress) => void>, request: ReindexRequest): Promise<IndexSummary> {
    const startedAt = new Date().toISOString();
    try {
      // One run per data dir across processes (another `docent index`, a replica's schedule): index-lock.ts.
      const lock = { what: trigger === 'cli' ? 'docent index' : `${trigger} reindex`, ...(request.wait ? { wait: true } : {}), ...(request.onWait ? { onWait: request.onWait } : {}) };
      return await (request.lockHeld ? indexOnce(trigger, listeners, request) : withIndexLock(c.dataDir, lock, () => indexOnce(trigger, listeners, request)));
    } catch (err) {
      // A user error (nothing loadable, a bad source) is the operator's to fix, not a bug: one warning with its
      // reason, no stack (on a terminal the stack printed above the polite line the CLI shows anyway).
      if (err instanceof DocentError && err.category === 'user') deps.logger.warn({ code: err.code, reason: err.message, trigger }, 'reindex failed; the previous index is still serving');
      else deps.logger.error({ err, trigger }, 'reindex failed; the previous index is still serving');
      record({ trigger, startedAt, finishedAt: new Date().toISOString(), ok: false, summary: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  async function indexOnce(trigger: ReindexTrigger, listeners: Set<(p: IndexProgress) => void>, request: ReindexRequest): Promise<IndexSummary> {
    const startedAt = new Date().toISOString();
    const plan = planSources({ dataDir: c.dataDir, configured: c.sources, manifest: readManifest(c.dataDir), requested: request.sources });
    // A plain `docent index` never drops indexed sources silently: it asks for --replace. `--source` named the
    // sources; the schedule and the admin command follow the operator's configuration. Both say what went.
    if (plan.removed.length && trigger === 'cli' && plan.origin !== 'command line' && !request.replace) throw sourcesChangedError(plan);
    const summary = await runIndex({
      dataDir: c.dataDir, sources: plan.sources, chunking: c.chunking,
      loader: loaderLimits(c.loader),
      fetchPolicy: fetchPolicyFromConfig(c.loader),
      embedder: deps.embedder, batchSize: c.embedder.batchSize, stores: deps.stores, logger: deps.logger,
      beforeRetire: deps.swap,
      onProgress: (p) => listeners.forEach((l) => l(p)),
    });
    rememberSources(c.dataDir, plan.sources, c.sources);
    if (plan.removed.length) deps.logger.warn({ trigger, removed: plan.removed, origin: plan.origin }, 'reindex dropped sources that are no longer listed');
    if (plan.removed.length) summary.notes.push(`removed from the index: ${describeRemoved(plan.removed)} (${plan.origin === 'command line' ? 'not among --source' : 'not in the configured sources'})`);
    deps.logger.info({ trigger, version: summary.version, changed: summary.changed, documents: summary.documents, skipped: summary.skipped.length, seconds: summary.seconds }, 'reindex finished');
    const what = summary.changed ? `version ${summary.version} built` : `nothing changed (version ${summary.version})`;
    record({ trigger, startedAt, finishedAt: new Date().toISOString(), ok: true, summary: `${what}: ${summary.documents} documents, ${summary.skipped.length} skipped, ${summary.seconds.toFixed(1)} s` });
    return summary;
  }

  function record(r: RunRecord): void {
    history.set(r.trigger, r);
    try {
      writeJsonAtomic(historyFile, [...history.values()]);
    } catch (err) {
      deps.logger.warn({ err }, 'could not save the reindex history');
    }
  }

  return {
    get running() {
      return current !== undefined;
    },
    lastRuns: () => [...history.values()],
    run(trigger, onProgress, request = {}) {
      if (current) {
        if (onProgress) current.listeners.add(onProgress);
        deps.logger.info({ trigger }, 'reindex requested while one is running; attaching to it');
        return current.promise;
      }
      const listeners = new Set<(p: IndexProgress) => void>(onProgress ? [onProgress] : []);
      const promise = execute(trigger, listeners, request).finally(() => {
        current = undefined;
      });
      current = { promise, listeners };
      return promise;
    },
  };
}

function readHistory(file: string): RunRecord[] {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunRecord[]) : [];
  } catch {
    return [];
  }
}
