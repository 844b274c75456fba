import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DocentServices } from '../../commands/services.js';
import type { AnswerPart, FinishInfo } from '../core/answer/types.js';

/**
 * Prometheus metrics for a running Docent. A private Registry (not prom-client's global one) so two
 * runtimes in one process — tests, a bench — never collide on metric names.
 */

/** How one answer ended, as the `outcome` label of `docent_answers_total`. */
export type AnswerOutcome = 'answered' | 'not_found' | 'error' | 'cached';

/** An answer that ended in an error part (or a thrown stream); `backend` when known. */
export interface AnswerFailure {
  error: unknown;
  backend?: string;
}

export interface DocentMetrics {
  registry: Registry;
  /** Counts one finished (or failed) answer and records its stage timings. */
  observeAnswer(info: FinishInfo | AnswerFailure): void;
  /** Counts one reindex run by trigger (admin, schedule, cli) and outcome, and records its duration. */
  observeReindex(trigger: string, ok: boolean, seconds: number): void;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
  /** The Content-Type matching `render()` (text format 0.0.4). */
  contentType: string;
}

/** Backend label for an answer that failed before any backend produced one. */
const NO_BACKEND = 'none';

/**
 * Buckets in seconds. Extractive answers finish in milliseconds and remote LLMs take tens of seconds, so the
 * range spans both ends rather than prom-client's web-request defaults.
 */
const STAGE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];
const REINDEX_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];

/** Creates the registry with Docent's metrics and the default process metrics (CPU, memory, event loop). */
export function createMetrics(opts: { defaultMetrics?: boolean; prefix?: string } = {}): DocentMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, ...(opts.prefix ? { prefix: opts.prefix } : {}) });
  const answers = new Counter({
    name: 'docent_answers_total', help: 'Answers served, by the backend that wrote them and how they ended.',
    labelNames: ['backend', 'outcome'] as const, registers: [registry],
  });
  const stages = new Histogram({
    name: 'docent_answer_stage_seconds', help: 'Answer latency by stage: retrieval, first token, total.',
    labelNames: ['stage'] as const, buckets: STAGE_BUCKETS, registers: [registry],
  });
  const fallbacks = new Counter({
    name: 'docent_backend_fallbacks_total', help: 'Times a backend failed and the chain fell back to the next one.',
    labelNames: ['backend'] as const, registers: [registry],
  });
  const reindexRuns = new Counter({
    name: 'docent_reindex_runs_total', help: 'Reindex runs by trigger and outcome.',
    labelNames: ['trigger', 'outcome'] as const, registers: [registry],
  });
  const reindexDuration = new Histogram({
    name: 'docent_reindex_duration_seconds', help: 'Duration of reindex runs.', buckets: REINDEX_BUCKETS, registers: [registry],
  });

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    observeAnswer(info) {
      if ('error' in info) {
        answers.inc({ backend: info.backend ?? NO_BACKEND, outcome: 'error' });
        return;
      }
      // A cache hit is reported as `cached` whatever it originally was: it cost no generation.
      const outcome: AnswerOutcome = info.cached ? 'cached' : info.notFound ? 'not_found' : 'answered';
      answers.inc({ backend: info.backend, outcome });
      const t = info.timings;
      stages.observe({ stage: 'retrieval' }, t.retrievalMs / 1000);
      // null for a cache hit or a refusal: no generation happened, so there is no first token to time.
      if (t.firstTokenMs !== null) stages.observe({ stage: 'first_token' }, t.firstTokenMs / 1000);
      stages.observe({ stage: 'total' }, t.totalMs / 1000);
      for (const f of info.fallbacks) fallbacks.inc({ backend: f.backend });
    },
    observeReindex(trigger, ok, seconds) {
      reindexRuns.inc({ trigger, outcome: ok ? 'ok' : 'error' });
      reindexDuration.observe(seconds);
    },
  };
}

/**
 * Wraps the services so answers and admin reindexes are measured without touching adapters or commands:
 * the part stream passes through unchanged and the finish/error part is observed on the way.
 */
export function instrumentServices(services: DocentServices, metrics: Pick<DocentMetrics, 'observeAnswer' | 'observeReindex'>): DocentServices {
  return {
    // Explicit delegation, not a spread: a class-based implementation (a test fake) keeps its prototype methods.
    status: () => services.status(),
    sources: () => services.sources(),
    isAdmin: (invoker) => services.isAdmin(invoker),
    scopeFor: (channelId) => services.scopeFor(channelId),
    recordFeedback: (f) => services.recordFeedback(f),
    ask(question, opts) {
      const started = services.ask(question, opts);
      return { answerId: started.answerId, parts: observed(started.parts, metrics) };
    },
    async reindex(onProgress) {
      const t0 = performance.now();
      try {
        const summary = await services.reindex(onProgress);
        metrics.observeReindex('admin', true, summary.seconds);
        return summary;
      } catch (err) {
        metrics.observeReindex('admin', false, (performance.now() - t0) / 1000);
        throw err;
      }
    },
  };
}

/** Passes parts through, observing the first finish or error part; a stream that throws counts as an error. */
async function* observed(parts: AsyncIterable<AnswerPart>, metrics: Pick<DocentMetrics, 'observeAnswer'>): AsyncGenerator<AnswerPart> {
  let done = false;
  try {
    for await (const part of parts) {
      if (!done && part.type === 'finish') {
        done = true;
        metrics.observeAnswer(part.info);
      } else if (!done && part.type === 'error') {
        done = true;
        metrics.observeAnswer({ error: part.error });
      }
      yield part;
    }
  } catch (err) {
    if (!done) metrics.observeAnswer({ error: err });
    throw err;
  }
}
