import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');

/**
 * Runs the real `docent` CLI (bin/docent.js) on a data dir with a clean environment: HOME in the test's work
 * folder, warn-level JSON logs, the no-download embedder, plus `env`. Returns what it printed.
 */
export function docentCli(work: string, dataDir: string) {
  return async (args: string[], env: Record<string, string> = {}) => {
    const { stdout, stderr } = await run(process.execPath, [path.join(repo, 'bin/docent.js'), ...args, '--data-dir', dataDir], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '', HOME: work, LOG_LEVEL: 'warn', LOG_PRETTY: 'never', EMBEDDER: 'word-vectors', ...env },
      timeout: 120_000,
    });
    return { stdout, stderr };
  };
}
