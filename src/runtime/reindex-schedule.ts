import cron from 'node-cron';
import type { Logger } from '../logging/logger.js';
import type { RunCoordinator } from '../stores/chroma-lease.js';
import type { ReindexRunner } from './reindex-runner.js';

export interface ReindexSchedule {
  expression: string;
  timezone: string;
  nextRun(): Date | null;
  stop(): Promise<void>;
}

/**
 * The scheduled reindex (node-cron). Each tick goes through the shared runner (so it attaches to a run an admin
 * already started) and, with a coordinator, only the replica that wins the tick's lease runs it.
 */
export function startReindexSchedule(o: {
  expression: string;
  timezone: string;
  leaseMs: number;
  runner: ReindexRunner;
  coordinator?: RunCoordinator | undefined;
  logger: Logger;
}): ReindexSchedule {
  const task = cron.schedule(
    o.expression,
    async () => {
      try {
        await o.runner.run('schedule');
      } catch {
        // The runner logged it and recorded the failure for `status`; the schedule keeps going.
      }
    },
    {
      name: 'docent-reindex',
      timezone: o.timezone,
      noOverlap: true,
      ...(o.coordinator ? { distributed: true, runCoordinator: o.coordinator, distributedLease: o.leaseMs } : {}),
    },
  );
  o.logger.info({ expression: o.expression, timezone: o.timezone, next: task.getNextRun()?.toISOString() }, 'reindex scheduled');
  return {
    expression: o.expression,
    timezone: o.timezone,
    nextRun: () => task.getNextRun(),
    stop: async () => {
      await task.destroy();
    },
  };
}
