import { closeSync, fchmodSync, mkdirSync, openSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import pretty from 'pino-pretty';
import { createLogger, type Logger } from './logger.js';

/**
 * Where a CLI invocation's logs go.
 *
 * - `service` (`docent start` serving Discord/Slack/the web chat), or stderr not a TTY (Docker, systemd, CI,
 *   a pipe): on stderr as before — JSON, or pretty when LOG_PRETTY says so — because operators collect them.
 * - `terminal` (the chat, `index`, `search`, `ask`, `status`, …) with stderr on a TTY: to
 *   `<dataDir>/logs/docent.log` (JSON, mode 0600, one rotation at LOG_FILE_MAX_BYTES). A person at a terminal sees
 *   the chat, the progress bar and one polite line per problem; pino lines and stacks printed over the `> `
 *   prompt are noise to them. `--verbose` also prints the logs on stderr.
 */
export type LogOwner = 'terminal' | 'service';

export interface CliLogOptions {
  level: string;
  pretty: 'auto' | 'always' | 'never';
  dataDir: string;
  owner: LogOwner;
  verbose?: boolean;
  /** Injectable for tests; default `process.stderr.isTTY`. */
  stderrIsTTY?: boolean;
}

export interface CliLog {
  logger: Logger;
  /** The log file, when logs go to one (only then do error lines point at it). */
  file?: string;
}

/** One rotation is enough for a terminal tool: the file stays under 2 × this, the previous run stays readable. */
export const LOG_FILE_MAX_BYTES = 5 * 2 ** 20;

let active: CliLog | undefined;

/** The log of this CLI invocation (for main's last-resort error line); undefined before a command built one. */
export function activeCliLog(): CliLog | undefined {
  return active;
}

export function createCliLog(o: CliLogOptions): CliLog {
  const tty = o.stderrIsTTY ?? process.stderr.isTTY === true;
  if (o.owner === 'service' || !tty) {
    active = { logger: createLogger({ level: o.level, pretty: o.pretty }) };
    return active;
  }
  const file = path.join(path.resolve(o.dataDir), 'logs', 'docent.log');
  let fd: number;
  try {
    fd = openLogFile(file);
  } catch {
    // A read-only data dir must not stop a search: keep the terminal clean and lose the detail.
    active = { logger: createLogger({ level: o.verbose ? o.level : 'silent', pretty: 'always' }) };
    return active;
  }
  const toFile = pino.destination({ fd, sync: true });
  const destination = o.verbose
    ? pino.multistream([
        { level: o.level as pino.Level, stream: toFile },
        { level: o.level as pino.Level, stream: pretty({ destination: 2, colorize: true, ignore: 'pid,hostname', sync: true }) },
      ])
    : toFile;
  active = { logger: createLogger({ level: o.level, pretty: 'never', destination: destination as unknown as NodeJS.WritableStream }), file };
  return active;
}

/** Opens the log for appending with mode 0600 (it can name sources and hosts), rotating a file over the cap. */
function openLogFile(file: string): number {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    if (statSync(file).size > LOG_FILE_MAX_BYTES) renameSync(file, `${file}.1`);
  } catch {
    // No file yet.
  }
  const fd = openSync(file, 'a', 0o600);
  try {
    // An existing file keeps the mode it was created with; tighten it.
    fchmodSync(fd, 0o600);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}
