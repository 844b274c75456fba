import { platformCheck, type PlatformStatus } from './platform-health.js';

/**
 * Readiness for `/readyz`: can this process answer right now? Liveness (`/healthz`) is separate on purpose —
 * a Chroma outage should take the replica out of a load balancer, not get the process restarted.
 */

export interface ReadinessResult {
  ok: boolean;
  /** `true` per passing check; a short reason string for a failing one. */
  checks: Record<string, boolean | string>;
}

/**
 * What readiness needs from the running process: two functions, not the runtime, so the server depends on
 * nothing of how stores and the serving index are wired (the runtime provides them as its `probes`).
 */
export interface ReadinessProbes {
  /** Whether a serving index is loaded. Called at probe time: a reindex swaps the index, so never capture it. */
  indexLoaded(): boolean;
  /** Settles when the vector store answers (a collection listing), rejects when it does not. */
  pingVectorStore(): Promise<unknown>;
}

/** How long a Chroma ping may take before the replica counts as not ready; probes run every few seconds. */
export const CHROMA_TIMEOUT_MS = 2_000;

/** Rejects after `ms` so a hung connection cannot hang the probe; the timer never keeps the process alive. */
function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Error text for a check; only the message, never an object that might carry connection details. */
function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Builds the `ready()` callback for `startHttpServer`: the serving index is loaded (a manifest is present),
 * Chroma answers a collection listing within 2 s, and each configured chat platform (`platforms`, by name) is
 * connected — a platform that is reconnecting or failed is reported with its state and keeps the replica not
 * ready, so an operator (or an orchestrator) sees which one is down.
 */
export function readinessCheck(
  probes: ReadinessProbes,
  opts: { timeoutMs?: number; platforms?: () => Record<string, PlatformStatus> } = {},
): () => Promise<ReadinessResult> {
  const timeoutMs = opts.timeoutMs ?? CHROMA_TIMEOUT_MS;
  return async () => {
    const checks: Record<string, boolean | string> = {};
    try {
      checks.index = probes.indexLoaded() ? true : 'no index loaded';
    } catch (err) {
      checks.index = reason(err);
    }
    try {
      await withTimeout(probes.pingVectorStore(), timeoutMs, 'Chroma');
      checks.chroma = true;
    } catch (err) {
      checks.chroma = `unreachable: ${reason(err)}`;
    }
    for (const [name, status] of Object.entries(opts.platforms?.() ?? {})) checks[name.toLowerCase()] = platformCheck(status);
    return { ok: Object.values(checks).every((v) => v === true), checks };
  };
}
