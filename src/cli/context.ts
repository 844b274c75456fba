import type { DocentConfig } from '../../config/schema.js';
import { loadConfig } from '../config/load-config.js';
import { createCliLog, type LogOwner } from '../logging/cli-log.js';
import type { Logger } from '../logging/logger.js';

export interface GlobalOptions {
  dataDir?: string;
  /** Print the logs on stderr too when they would otherwise go only to <dataDir>/logs/docent.log. */
  verbose?: boolean;
}

export interface CliContext {
  config: DocentConfig;
  logger: Logger;
  /** Where the logs go when not on stderr (a terminal): error lines point at it. */
  logFile?: string;
}

/**
 * Config (explicit option > env > profile > default) and the logger, built once per CLI invocation. `owner`
 * says who owns the terminal: a person (`terminal`: logs to a file when stderr is a TTY) or an operator's log
 * collector (`service`: `docent start` serving platforms) — see src/logging/cli-log.ts.
 */
export function cliContext(opts: GlobalOptions, overrides: Record<string, unknown> = {}, owner: LogOwner = 'terminal'): CliContext {
  const config = loadConfig({ overrides: { dataDir: opts.dataDir, ...overrides } });
  const log = createCliLog({ level: config.log.level, pretty: config.log.pretty, dataDir: config.dataDir, owner, verbose: opts.verbose === true });
  return { config, logger: log.logger, ...(log.file ? { logFile: log.file } : {}) };
}
