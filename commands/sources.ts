import type { CommandDefinition } from './types.js';

export const sourcesCommand: CommandDefinition = {
  name: 'sources',
  description: 'What the catalog holds: documents and passages per source',
  options: [],
  access: 'everyone',
  async run({ services }) {
    const { sources } = await services.sources();
    if (sources.length === 0) return { type: 'text', markdown: 'The catalog is empty: nothing has been indexed yet.', ephemeral: true };
    const lines = sources.map((s) => `• \`${s.source}\` — ${s.documents} documents, ${s.chunks} passages`);
    const total = sources.reduce((n, s) => n + s.documents, 0);
    return { type: 'text', markdown: `**Sources** (${total} documents)\n${lines.join('\n')}`, ephemeral: true };
  },
};
