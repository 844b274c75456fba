import { createInterface } from 'node:readline';
import type { AnswerPipeline } from '../../core/answer/answer-pipeline.js';
import type { Turn } from '../../core/answer/types.js';
import type { Logger } from '../../logging/logger.js';
import { formatCitations, formatMeta, politeError } from './render.js';

export interface ConsoleChatOptions {
  pipeline: AnswerPipeline;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  logger: Logger;
  /** Printed once at the start. */
  banner?: string;
  /** Turns of history kept for follow-ups. */
  historyTurns?: number;
}

/**
 * The terminal chat: each line is a question; the answer streams as it is written, then its sources. The
 * conversation so far is the history of the next question (so "and the one from 2011?" works). Ends cleanly at
 * end of input (Ctrl-D, or the end of a pipe) or on `:quit`.
 */
export async function runConsoleChat(o: ConsoleChatOptions): Promise<{ questions: number }> {
  const out = (s: string) => o.output.write(s);
  const interactive = (o.input as { isTTY?: boolean }).isTTY === true;
  const rl = createInterface({ input: o.input, terminal: false });
  const history: Turn[] = [];
  const keep = o.historyTurns ?? 6;
  let questions = 0;
  if (o.banner) out(`${o.banner}\n`);
  const prompt = () => interactive && out('\n> ');
  prompt();
  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) {
      prompt();
      continue;
    }
    if (line === ':quit' || line === ':q' || line === ':exit') break;
    if (!interactive) out(`\n> ${line}\n`);
    questions++;
    let answer = '';
    for await (const part of o.pipeline.answer({ text: line, history: history.slice(-keep) })) {
      if (part.type === 'text-delta') {
        answer += part.text;
        out(part.text);
      } else if (part.type === 'finish') {
        const cites = formatCitations(part.info.citations);
        out(`${answer.endsWith('\n') ? '' : '\n'}\n${cites ? `${cites}\n` : ''}${formatMeta(part.info)}\n`);
      } else if (part.type === 'error') {
        o.logger.error({ err: part.error, code: part.error.code }, 'answer failed');
        out(`${politeError(part.error)}\n`);
      }
    }
    history.push({ role: 'user', text: line }, { role: 'assistant', text: answer });
    prompt();
  }
  rl.close();
  return { questions };
}
