import type { CommandDefinition } from '../../../commands/types.js';

/**
 * `:help` in the terminal chat. The shared help command describes the chat platforms (`/ask`, threads,
 * 👍/👎), none of which exist here; this lists what the terminal accepts, built from the same command list.
 */
export function terminalHelp(commands: CommandDefinition[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4) + 2;
  const rows = commands
    // `ask` is what every plain line does already.
    .filter((c) => c.name !== 'ask')
    .map((c) => `  :${c.name.padEnd(width)}${c.name === 'help' ? 'this list' : c.description.replace(/ \(admins only\)$/, '')}`);
  return [
    'Type a question and press Enter; the answer streams, then its sources. Follow-ups keep the context.',
    'Commands (a leading / works too, e.g. /status):',
    ...rows,
    `  :${'quit'.padEnd(width)}leave (also :q, :exit, or Ctrl-D)`,
  ].join('\n');
}

/**
 * Command replies are written in chat Markdown (`**bold**`, `` `code` ``, `• ` bullets); a terminal would show
 * the asterisks and backticks as typed. Drops the emphasis and code marks and keeps the words.
 */
export function plainMarkdown(md: string): string {
  return md
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/__(.+?)__/g, '$1')
    .replace(/`([^`\n]+)`/g, '$1');
}

/**
 * A line typed as a platform slash command (`/status`, as Discord and Slack users type it, and as the help of
 * those platforms says) is that command here too — when it names one; any other line starting with `/` (a path)
 * stays a question. Returns the command text without its prefix, or undefined.
 */
export function slashAlias(line: string, commands: CommandDefinition[]): string | undefined {
  const m = /^\/([a-z]+)(?:\s|$)/.exec(line);
  return m && commands.some((c) => c.name === m[1]) ? line.slice(1) : undefined;
}
