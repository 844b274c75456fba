import type { CommandDefinition } from './types.js';

/** Built from the command list itself so it never goes stale. */
export function helpCommand(list: () => CommandDefinition[]): CommandDefinition {
  return {
    name: 'help',
    description: 'How to use Docent',
    options: [],
    access: 'everyone',
    async run() {
      const lines = list().map((c) => `• \`/${c.name}\` — ${c.description}`);
      const markdown = [
        '**Docent** answers questions about the catalog and cites the records and pages it used.',
        ...lines,
        'Follow-up questions in an answer’s thread keep the context; 👍/👎 under an answer tell us how it did.',
      ].join('\n');
      return { type: 'text', markdown, ephemeral: true };
    },
  };
}
