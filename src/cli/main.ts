import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ConfigError, DocentError } from '../core/errors.js';
import { activeCliLog } from '../logging/cli-log.js';
import { registerAskCommand } from './commands/ask-command.js';
import { registerChatCommands } from './commands/chat-command.js';
import { registerDiscordCommands } from './commands/discord-command.js';
import { registerIndexCommand } from './commands/index-command.js';
import { registerInsightsCommand } from './commands/insights-command.js';
import { registerModelsCommand } from './commands/models-command.js';
import { registerSearchCommand } from './commands/search-command.js';
import { registerStatusCommand } from './commands/status-command.js';
import { exitOnSignals } from './signals.js';

/** The `docent` command line. Each sub-command lives in its own file under ./commands. */
export function buildProgram(): Command {
  const program = new Command('docent')
    .description('Docent: search and answer questions over a document catalog')
    .version(packageVersion(), '-V, --version', 'print the Docent version')
    .option('--data-dir <dir>', 'state folder (index, Chroma files, caches); overrides DATA_DIR')
    .option('--verbose', 'also print the logs on the terminal (on a terminal they go to <data dir>/logs/docent.log)')
    // Usage errors are one line naming the flag (and its valid values) and exit 2, not 1 + the whole help:
    // exitOverride lets main() choose the code, and sub-commands inherit both settings from here.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`docent: ${text.replace(/^error: /, '').trim()} (see --help)\n`) });
  registerIndexCommand(program);
  registerSearchCommand(program);
  registerStatusCommand(program);
  registerInsightsCommand(program);
  registerModelsCommand(program);
  registerAskCommand(program);
  registerChatCommands(program);
  registerDiscordCommands(program);
  return program;
}

/** Known errors print one line plus the fix; anything else is a bug and keeps its stack. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    // --help and --version end here with code 0; `docent` alone shows the help and 1; a usage error has been
    // printed (configureOutput above) and is the user's to fix: 2.
    if (err instanceof CommanderError) return err.exitCode === 0 || err.code === 'commander.help' ? err.exitCode : 2;
    if (err instanceof ConfigError) {
      // One line naming the key and the fix: start-up stops here, and a log collector keeps it whole.
      process.stderr.write(`docent: ${err.message}${err.hint ? ` — ${err.hint}` : ''}\n`);
      return 2;
    }
    if (err instanceof DocentError && (err.category === 'user' || err.category === 'config')) {
      // The user's to fix (a missing source, a held lock, sources that would be dropped): one line naming the
      // thing and the fix, exit 2 — as for a bad flag or config value.
      process.stderr.write(`docent: ${err.message}${err.hint ? ` — ${err.hint}` : ''}\n`);
      return 2;
    }
    if (err instanceof DocentError) {
      // A provider or internal failure has more to it than the line (a cause, a stack): say where it is.
      const file = activeCliLog()?.file;
      process.stderr.write(`docent: ${err.message}${err.hint ? `\n  ${err.hint}` : ''}${file ? `\n  (details in ${file})` : ''}\n`);
      return 1;
    }
    // A bug. On a terminal (logs in a file) one line and where the stack is; for a log collector the stack itself.
    const log = activeCliLog();
    if (log?.file) {
      log.logger.error({ err }, 'unexpected error');
      process.stderr.write(`docent: unexpected error: ${(err as Error).message ?? String(err)} — details in ${log.file}\n`);
    } else {
      process.stderr.write(`docent: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    }
    return 1;
  }
}

/** package.json's version, found by walking up (this file runs from src/cli and from dist/src/cli). */
function packageVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'docent' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

const isEntry = process.argv[1] && /(?:cli[\\/]main\.ts|bin[\\/]docent(?:\.js)?)$/.test(process.argv[1]);
if (isEntry) {
  // Ctrl-C / SIGTERM end a one-shot command at once, through process.exit so 'exit' hooks stop child servers;
  // `docent start` takes the signals over for its graceful shutdown (signals.ts).
  exitOnSignals();
  // Set the exit code and let the event loop drain: child servers are stopped by then.
  process.exitCode = await main(process.argv);
}
