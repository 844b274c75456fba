import type { Command } from 'commander';
import { commandList } from '../../../commands/index.js';
import { runConsoleChat } from '../../adapters/console/console-chat.js';
import { resolveChain } from '../../runtime/generators.js';
import { openRuntime } from '../../runtime/docent-runtime.js';
import { cliContext, type GlobalOptions } from '../context.js';
import { formatSummary } from './index-command.js';
import { progressReporter } from '../progress.js';
import { serve } from '../serve.js';

/**
 * `docent start` — the main job: the configured chat platforms and/or the web chat API (WEB_CHAT=on, `--web`, or
 * the Space profile: SPACE_ID set), or the terminal chat when neither is configured (the zero-config default, and
 * what `npm start` / `echo question | npm start` runs). `docent chat` — always the terminal chat.
 */
export function registerChatCommands(program: Command): void {
  program
    .command('chat')
    .description('Chat with the catalog in the terminal (indexes the configured sources first when there is no index)')
    .action(async (_opts: unknown, cmd: Command) => chat(cmd));
  program
    .command('start')
    .description('Start Docent: the configured chat platforms and the web chat (if on), or the terminal chat when neither is configured')
    .option('--web', 'serve the web chat (page and API) on HTTP_PORT (as WEB_CHAT=on does), with or without a chat platform')
    .action(async (opts: { web?: boolean }, cmd: Command) => {
      // A service keeps its logs on stderr for the operator; the terminal chat builds its own context (logs in a
      // file while a person owns the TTY).
      const ctx = cliContext(cmd.optsWithGlobals<GlobalOptions>(), {}, 'service');
      const web = opts.web === true || ctx.config.web.chat === 'on';
      if (ctx.config.discord.token || ctx.config.slack.botToken || web) await serve(ctx, { web });
      else await chat(cmd);
    });
}

async function chat(cmd: Command): Promise<void> {
  const { config, logger } = cliContext(cmd.optsWithGlobals<GlobalOptions>());
  const progress = progressReporter();
  const runtime = await openRuntime(config, logger, {
    indexIfEmpty: true,
    ...(progress.onProgress ? { onIndexProgress: progress.onProgress } : {}),
    onIndexed: (s) => {
      progress.stop();
      process.stderr.write(formatSummary(s));
    },
  });
  try {
    const m = await runtime.services.status();
    const chain = resolveChain(config).map((b) => (b === 'extractive' ? 'excerpts (no LLM)' : b)).join(' → ');
    const banner =
      `Docent — ${m.documents} documents, ${m.chunks} chunks (index v${m.indexVersion}, ${m.embedder.id}). Answers: ${chain}.\n` +
      // The model could not be downloaded (offline, no HF access): say so here, not only in the log.
      (m.embedder.fallback ? 'Search uses the offline fallback embedder; run "docent models pull" with internet access for the better model.\n' : '') +
      'Ask a question; follow-ups keep the context. :help lists commands; Ctrl-D or :quit to leave.';
    await runConsoleChat({ services: runtime.services, commands: commandList, input: process.stdin, output: process.stdout, logger, banner, historyTurns: config.answer.historyTurns });
  } finally {
    await runtime.close();
  }
}
