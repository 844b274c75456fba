/**
 * Graceful shutdown for long-running processes (`docent start` on the chat platforms, in a container):
 *
 * - the first SIGTERM/SIGINT resolves `signalled`; the caller then runs its cleanup steps through `run()`;
 * - from the first signal (or from `run()`, whichever comes first) a hard timer guarantees the process exits
 *   within `timeoutMs` (10 s: Docker's default stop grace period), logging which steps were still running and
 *   exiting 1; it is unref'd, so it never keeps an otherwise finished process alive;
 * - a second signal exits at once (1) — an operator pressing Ctrl-C twice means it;
 * - the listeners stay installed until cleanup has ended: the Chroma supervisor re-raises a signal that nobody
 *   else listens to, which would end the process before the adapters and the runtime have closed.
 */
import type { Logger } from '../logging/logger.js';

export interface ShutdownStep {
  /** Named in the log, and in the list of what was still running when the hard timer fires. */
  name: string;
  stop(): Promise<unknown>;
}

/** The process surface used here; tests pass a stand-in. */
export interface ShutdownProcess {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

export interface GracefulShutdownOptions {
  logger: Logger;
  /** From the first signal to a forced exit (default 10 000 ms). */
  timeoutMs?: number;
  signals?: NodeJS.Signals[];
  proc?: ShutdownProcess;
}

export interface GracefulShutdown {
  /** Resolves with the first signal received. */
  readonly signalled: Promise<NodeJS.Signals>;
  /** True once a signal came or `run()` started: stop accepting work (a readiness probe should fail). */
  readonly shuttingDown: boolean;
  /**
   * Runs the steps in order (an inner array runs its steps concurrently), logging failures and going on, then
   * removes the signal listeners. Resolves true when every step finished cleanly. The hard timer stays armed
   * (unref'd): if something still holds the event loop open, the process exits when it fires.
   */
  run(steps: Array<ShutdownStep | ShutdownStep[]>): Promise<boolean>;
  /** Removes the listeners and disarms the timer without running anything (start-up failed). */
  dispose(): void;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export function createGracefulShutdown(opts: GracefulShutdownOptions): GracefulShutdown {
  const proc: ShutdownProcess = opts.proc ?? process;
  const log = opts.logger;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  const pending = new Set<string>();
  let firstSignal: NodeJS.Signals | undefined;
  let shuttingDown = false;
  let cleanupDone = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveSignalled!: (s: NodeJS.Signals) => void;
  const signalled = new Promise<NodeJS.Signals>((r) => (resolveSignalled = r));

  const armTimer = (): void => {
    shuttingDown = true;
    timer ??= setTimeout(() => {
      if (cleanupDone) {
        log.warn({ timeoutMs }, 'shutdown finished but something kept the process alive; exiting');
        proc.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      } else {
        log.error({ timeoutMs, stillRunning: [...pending] }, 'shutdown took too long; exiting anyway');
        proc.exit(1);
      }
    }, timeoutMs);
    timer.unref?.();
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (firstSignal) {
      log.warn({ signal, stillRunning: [...pending] }, 'second signal; exiting now');
      proc.exit(1);
      return;
    }
    firstSignal = signal;
    log.info({ signal, timeoutMs }, 'shutting down: no new questions; letting answers in progress finish');
    armTimer();
    resolveSignalled(signal);
  };
  for (const s of signals) proc.on(s, onSignal);

  const removeListeners = (): void => {
    for (const s of signals) proc.off(s, onSignal);
  };

  const runStep = async (step: ShutdownStep): Promise<boolean> => {
    pending.add(step.name);
    const started = Date.now();
    try {
      await step.stop();
      log.debug({ step: step.name, ms: Date.now() - started }, 'shutdown step done');
      return true;
    } catch (err) {
      log.warn({ err, step: step.name }, 'shutdown step failed');
      return false;
    } finally {
      pending.delete(step.name);
    }
  };

  return {
    signalled,
    get shuttingDown() {
      return shuttingDown;
    },
    async run(steps) {
      armTimer();
      let clean = true;
      try {
        for (const step of steps) {
          const results = await Promise.all((Array.isArray(step) ? step : [step]).map(runStep));
          if (results.includes(false)) clean = false;
        }
      } finally {
        cleanupDone = true;
        removeListeners();
      }
      log.info({ clean }, 'stopped');
      return clean;
    },
    dispose() {
      removeListeners();
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
