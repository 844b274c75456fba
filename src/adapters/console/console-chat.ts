import { createInterface } from 'node:readline';
import type { Invoker } from '../../../commands/invoker.js';
import type { CommandDefinition } from '../../../commands/types.js';
import type { DocentServices } from '../../../commands/services.js';
import type { AnswerPart, Turn } from '../../core/answer/types.js';
import type { Logger } from '../../logging/logger.js';
import { renderAnswer, type AnswerSurface } from '../shared/answer-renderer.js';
import { terminalText } from '../shared/untrusted-text.js';
import { formatCitations, formatMeta, plainNotes, terminalStream } from './render.js';
import { politeError } from '../shared/polite-error.js';
import { plainMarkdown, slashAlias, terminalHelp } from './terminal-help.js';

export interface ConsoleChatOptions {
  services: DocentServices;
  /** The shared command definitions: `:status`, `:sources`, `:reindex`, `:help` run them. */
  commands: CommandDefinition[];
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  logger: Logger;
  /** Printed once at the start. */
  banner?: string;
  /** Turns of history kept for follow-ups. */
  historyTurns?: number;
}

const INVOKER: Invoker = { platform: 'console', userId: 'console', roleIds: [] };

/**
 * The terminal chat: each line is a question; the answer streams as it is written, then its sources. The
 * conversation so far is the history of the next question (so "and the one from 2011?" works). Lines starting
 * with `:` run the shared commands. Ends cleanly at end of input (Ctrl-D, or the end of a pipe) or on `:quit`.
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
    if (!interactive) out(`\n> ${terminalText(line)}\n`);
    // `/status` typed as the platforms' help says is `:status` here; other lines starting with `/` are questions.
    const slash = slashAlias(line, o.commands);
    if (line.startsWith(':') || slash !== undefined) {
      await runCommand(slash ?? line.slice(1), o, out);
    } else {
      questions++;
      const { parts } = o.services.ask({ text: line, history: history.slice(-keep) });
      const answer = await streamAnswer(parts, out, o.logger);
      history.push({ role: 'user', text: line }, { role: 'assistant', text: answer });
    }
    prompt();
  }
  rl.close();
  return { questions };
}

/**
 * Prints an answer as it streams, then its sources; returns the answer text (for history). The part loop is
 * the shared one (shared/answer-renderer.ts), so a stream that errors, throws or stops early ends the same way
 * as on the chat platforms. A terminal has no rate limit and no message size: each live call prints what
 * arrived since the last. The text goes through `terminalStream` (no control sequences, URLs defanged): it
 * comes from a model and from documents.
 */
async function streamAnswer(parts: AsyncIterable<AnswerPart>, out: (s: string) => void, logger: Logger): Promise<string> {
  let answer = '';
  let shown = '';
  let pending = '';
  const safe = terminalStream();
  const print = (s: string) => {
    shown += s;
    out(s);
  };
  const surface: AnswerSurface = {
    limits: { messageChars: Number.POSITIVE_INFINITY, minEditIntervalMs: 0 },
    push(delta) {
      answer += delta;
      pending += safe.push(plainNotes(delta));
      return pending !== '';
    },
    async showLive() {
      const text = pending;
      pending = '';
      print(text);
    },
    async showEnd(ending) {
      const rest = pending + safe.flush();
      pending = '';
      if (ending.outcome === 'error') {
        out(`${rest}${terminalText(politeError(ending.error))}\n`);
        return;
      }
      print(rest);
      const cites = formatCitations(ending.info.citations);
      out(`${shown.endsWith('\n') ? '' : '\n'}\n${cites ? `${cites}\n` : ''}${formatMeta(ending.info)}\n`);
    },
  };
  await renderAnswer({ parts, surface, logger });
  return answer;
}

async function runCommand(text: string, o: ConsoleChatOptions, out: (s: string) => void): Promise<void> {
  const [name = '', ...rest] = text.split(/\s+/);
  const command = o.commands.find((c) => c.name === name);
  if (!command) {
    // As :help lists them: a question needs no :ask here.
    out(`Unknown command :${terminalText(name)}. Try ${o.commands.filter((c) => c.name !== 'ask').map((c) => `:${c.name}`).join(', ')} or :quit.\n`);
    return;
  }
  if (command.name === 'help') {
    // The shared help describes Discord and Slack (/ask, threads, 👍/👎); this one the terminal's commands.
    out(`${terminalHelp(o.commands)}\n`);
    return;
  }
  const first = command.options[0];
  const args = first && rest.length ? { [first.name]: rest.join(' ') } : {};
  const reply = await command.run({ args, invoker: INVOKER, services: o.services });
  // Command replies name sources and reindexed files: untrusted text like any other.
  // Chat Markdown (`**`, backticks) is shown as plain text: a terminal would print the marks as typed.
  if (reply.type === 'text') out(`${terminalText(plainMarkdown(reply.markdown))}\n`);
  else if (reply.type === 'answer') await streamAnswer(reply.parts, out, o.logger);
  else {
    out(`${terminalText(reply.initial)}\n`);
    let lastLabel = '';
    let lastAt = 0;
    const final = await reply.run(async (md) => {
      // Piped output cannot be edited in place: print a new line when the phase changes, else once a second.
      const label = md.split(':')[0] ?? md;
      if (label !== lastLabel || Date.now() - lastAt >= 1000) {
        out(`${terminalText(md)}\n`);
        lastLabel = label;
        lastAt = Date.now();
      }
    });
    out(`${terminalText(plainMarkdown(final))}\n`);
  }
}
