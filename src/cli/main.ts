import { Command } from 'commander';
import { ConfigError, DocentError } from '../core/errors.js';
import { registerAskCommand } from './commands/ask-command.js';
import { registerChatCommands } from './commands/chat-command.js';
import { registerDiscordCommands } from './commands/discord-command.js';
import { registerIndexCommand } from './commands/index-command.js';
import { registerModelsCommand } from './commands/models-command.js';
import { registerSearchCommand } from './commands/search-command.js';
import { registerStatusCommand } from './commands/status-command.js';

/** The `docent` command line. Each sub-command lives in its own file under ./commands. */
export function buildProgram(): Command {
  const program = new Command('docent')
    .description('Docent: search and answer questions over a document catalog')
    .option('--data-dir <dir>', 'state folder (index, Chroma files, caches); overrides DATA_DIR')
    .showHelpAfterError();
  registerIndexCommand(program);
  registerSearchCommand(program);
  registerStatusCommand(program);
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
    if (err instanceof ConfigError) {
      // One line naming the key and the fix: start-up stops here, and a log collector keeps it whole.
      process.stderr.write(`docent: ${err.message}${err.hint ? ` — ${err.hint}` : ''}\n`);
      return 2;
    }
    if (err instanceof DocentError) {
      process.stderr.write(`docent: ${err.message}${err.hint ? `\n  ${err.hint}` : ''}\n`);
      return err.category === 'config' ? 2 : 1;
    }
    process.stderr.write(`docent: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] && /(?:cli[\\/]main\.ts|bin[\\/]docent(?:\.js)?)$/.test(process.argv[1]);
if (isEntry) {
  // Set the exit code and let the event loop drain: child servers are stopped by then.
  process.exitCode = await main(process.argv);
}
