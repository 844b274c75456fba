import type { SourceReport } from './services.js';
import type { CommandDefinition } from './types.js';

export const sourcesCommand: CommandDefinition = {
  name: 'sources',
  description: 'What the catalog holds: documents and passages per source',
  options: [],
  access: 'everyone',
  async run({ services, invoker }) {
    const scope = services.scopeFor(invoker.channelId);
    if (scope?.length === 0) return { type: 'text', markdown: 'This channel has no catalog to search.', ephemeral: true };
    const { sources, documents } = visibleSources((await services.sources()).sources, scope);
    if (sources.length === 0 && documents.length === 0) {
      return { type: 'text', markdown: scope ? "None of this channel's sources has been indexed yet." : 'The catalog is empty: nothing has been indexed yet.', ephemeral: true };
    }
    const lines = [
      ...sources.map((s) => `• \`${s.source}\` — ${s.documents} documents, ${s.chunks} passages`),
      ...documents.map((d) => `• \`${d}\` — one document`),
    ];
    const total = sources.reduce((n, s) => n + s.documents, 0) + documents.length;
    return { type: 'text', markdown: `**${scope ? 'Sources in this channel' : 'Sources'}** (${total} documents)\n${lines.join('\n')}`, ephemeral: true };
  },
};

/**
 * What an asker whose channel has `scope` (DocentServices.scopeFor) may see of the catalog's sources: the sources
 * the scope names, and the single documents it names inside them (full source ids). `undefined` scope: all; an
 * entry that names nothing indexed is left out.
 */
export function visibleSources(all: SourceReport['sources'], scope: readonly string[] | undefined): { sources: SourceReport['sources']; documents: string[] } {
  if (scope === undefined) return { sources: [...all], documents: [] };
  const sources = all.filter((s) => scope.includes(s.source));
  const inside = (e: string): boolean => all.some((s) => {
    const root = s.source.replace(/\/+$/, '');
    return e.length > root.length + 1 && e.startsWith(`${root}/`);
  });
  const documents = [...new Set(scope)].filter((e) => !sources.some((s) => s.source === e) && inside(e));
  return { sources, documents };
}
