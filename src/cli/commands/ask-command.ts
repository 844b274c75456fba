import type { Command } from 'commander';
import type { FinishInfo, Passage } from '../../core/answer/types.js';
import { formatCitations, formatMeta, politeError } from '../../adapters/console/render.js';
import { openRuntime } from '../../runtime/docent-runtime.js';
import { cliContext, type GlobalOptions } from '../context.js';

/** `docent ask "QUESTION" [--json]`: one answer, streamed to stdout (or one JSON object). */
export function registerAskCommand(program: Command): void {
  program
    .command('ask <question>')
    .description('Answer one question from the index, with citations')
    .option('--json', 'print {answer, citations, backend, timings, …} as JSON instead of streaming')
    .option('--source <source...>', 'only these sources (source root or source id)')
    .action(async (question: string, opts: { json?: boolean; source?: string[] }, cmd: Command) => {
      const { config, logger } = cliContext(cmd.optsWithGlobals<GlobalOptions>());
      const runtime = await openRuntime(config, logger);
      try {
        let passages: Passage[] = [];
        let finish: FinishInfo | undefined;
        for await (const part of runtime.pipeline.answer({ text: question, history: [], ...(opts.source ? { sources: opts.source } : {}) })) {
          if (part.type === 'sources') passages = part.passages;
          else if (part.type === 'text-delta' && !opts.json) process.stdout.write(part.text);
          else if (part.type === 'finish') finish = part.info;
          else if (part.type === 'error') {
            logger.error({ err: part.error }, 'answer failed');
            process.stderr.write(`${politeError(part.error)}\n`);
            process.exitCode = 1;
            return;
          }
        }
        if (!finish) return;
        if (opts.json) {
          const { text, ...rest } = finish;
          process.stdout.write(`${JSON.stringify({ question, answer: text, ...rest, passages: passages.map(({ text: _t, ...p }) => p) }, null, 2)}\n`);
        } else {
          const cites = formatCitations(finish.citations);
          process.stdout.write(`\n\n${cites ? `${cites}\n` : ''}${formatMeta(finish)}\n`);
        }
      } finally {
        await runtime.close();
      }
    });
}
