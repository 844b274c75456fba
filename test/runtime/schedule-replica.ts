/**
 * One "replica" for the scheduling test: a real process that runs the reindex schedule every second against a
 * shared Chroma server and appends a line to a file each time it wins a run. Args: chromaUrl outFile name.
 */
import { appendFileSync } from 'node:fs';
import pino from 'pino';
import { startReindexSchedule } from '../../src/runtime/reindex-schedule.js';
import type { ReindexRunner } from '../../src/runtime/reindex-runner.js';
import { createChromaRunCoordinator } from '../../src/stores/chroma-lease.js';

const [url, out, name] = process.argv.slice(2) as [string, string, string];
const logger = pino({ level: 'silent' });
const runner: ReindexRunner = {
  running: false,
  lastRuns: () => [],
  async run() {
    appendFileSync(out, `${name} ${Math.floor(Date.now() / 1000)}\n`);
    return { embedderId: 'x', changed: false, version: 1, documents: 0, chunks: 0, embedded: 0, skipped: [], notes: [], seconds: 0, perSource: {}, diff: { added: 0, changed: 0, removed: 0 } };
  },
};
startReindexSchedule({ expression: '* * * * * *', timezone: 'UTC', leaseMs: 60_000, runner, coordinator: createChromaRunCoordinator({ url, logger }), logger });
process.stdout.write('ready\n');
