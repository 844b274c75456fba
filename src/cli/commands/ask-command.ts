import type { Command } from 'commander';
import type { FinishInfo, Passage } from '../../core/answer/types.js';
import { formatCards } from '../../adapters/console/card-text.js';
import { formatCitations, formatMeta, plainNotes, terminalJson, terminalStream } from '../../adapters/console/render.js';
import { politeError } from '../../adapters/shared/polite-error.js';
import { terminalText } from '../../adapters/shared/untrusted-text.js';
import { openRuntime } from '../../runtime/docent-runtime.js';
import { cliContext, type GlobalOptions } from '../context.js';
import { requireIndex } from '../require-index.js';

/** `docent ask "QUESTION" [--json]`: one answer, streamed to stdout (or one JSON object). */
export function registerAskCommand(program: Command): void {
  program
    .command('ask <question>')
    .description('Answer one question from the index, with citations')
    .option('--json', 'print {answer, citations, cards, dateFilter, backend, timings, …} as JSON instead of streaming')
    .option('--source <source...>', 'only these sources (a source root, or a full source id: root/path)')
    .action(async (question: string, opts: { json?: boolean; source?: string[] }, cmd: Command) => {
      const { config, logger } = cliContext(cmd.optsWithGlobals<GlobalOptions>());
      // No index: say so before opening the runtime, whose embedder would try to download a model first.
      requireIndex(config.dataDir);
      const runtime = await openRuntime(config, logger);
      try {
        let passages: Passage[] = [];
        let finish: FinishInfo | undefined;
        // Streamed text is untrusted (model output, catalog titles): no control sequences, URLs defanged.
        // --json prints the data as it is, for programs (every control character \u-escaped: see terminalJson).
        const safe = terminalStream();
        // Through the services like every other surface: the same admission bound and an activity record (so
        // `docent insights` and `status` count terminal questions too), not the pipeline directly.
        const { parts } = runtime.services.ask({ text: question, history: [], ...(opts.source ? { sources: opts.source } : {}) }, { surface: 'console' });
        for await (const part of parts) {
          if (part.type === 'sources') passages = part.passages;
          else if (part.type === 'text-delta' && !opts.json) process.stdout.write(safe.push(plainNotes(part.text)));
          else if (part.type === 'finish') finish = part.info;
          else if (part.type === 'error') {
            logger.error({ err: part.error }, 'answer failed');
            process.stderr.write(`${terminalText(politeError(part.error))}\n`);
            process.exitCode = 1;
            return;
          }
        }
        if (!finish) return;
        if (opts.json) {
          const { text, ...rest } = finish;
          process.stdout.write(`${terminalJson({ question, answer: text, ...rest, passages: passages.map(({ text: _t, ...p }) => p) })}\n`);
        } else {
          const cites = formatCitations(finish.citations);
          // Dataset cards (questions that ask for data) come after the prose, before the source list.
          const cards = finish.cards?.length ? `Datasets:\n${formatCards(finish.cards)}\n\n` : '';
          process.stdout.write(`${safe.flush()}\n\n${cards}${cites ? `${cites}\n` : ''}${formatMeta(finish)}\n`);
        }
      } finally {
        await runtime.close();
      }
    });
}
