import type { DocentConfig } from '../../config/schema.js';
import { loadConfig } from '../config/load-config.js';
import { createLogger, type Logger } from '../logging/logger.js';

export interface GlobalOptions {
  dataDir?: string;
}

export interface CliContext {
  config: DocentConfig;
  logger: Logger;
}

/** Config (explicit option > env > profile > default) and the logger, built once per CLI invocation. */
export function cliContext(opts: GlobalOptions, overrides: Record<string, unknown> = {}): CliContext {
  const config = loadConfig({ overrides: { dataDir: opts.dataDir, ...overrides } });
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty });
  return { config, logger };
}
