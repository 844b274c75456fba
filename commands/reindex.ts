import { DocentError } from '../src/core/errors.js';
import { redactUrlsInText } from '../src/core/redact-url.js';
import type { IndexProgress } from '../src/core/index-report.js';
import type { CommandDefinition } from './types.js';

const PHASE: Record<IndexProgress['phase'], string> = { load: 'Loading documents', embed: 'Embedding passages', store: 'Storing the new index' };

export const reindexCommand: CommandDefinition = {
  name: 'reindex',
  description: 'Rebuild the index from the configured sources (admins only)',
  options: [],
  access: 'admin',
  // Admins only: enforced for every caller by the access policy that wraps commandList (access-policy.ts).
  async run({ services }) {
    const already = (await services.status()).reindexRunning;
    return {
      type: 'progress',
      ephemeral: false,
      initial: already ? '🔄 A reindex is already running; following it…' : '🔄 Reindex started…',
      async run(report) {
        try {
          // Posted in the channel for everyone to read; services.reindex has already redacted source URLs.
          const s = await services.reindex((p) => {
            void report(`🔄 ${PHASE[p.phase]}: ${p.done}/${p.total}`);
          });
          const head = s.changed ? `✅ Reindexed: version ${s.version}` : `✅ Nothing changed; version ${s.version} kept`;
          const skipped = s.skipped.length
            ? `\nSkipped ${s.skipped.length}:\n${s.skipped.slice(0, 10).map((k) => `• \`${k.location}\` — ${k.reason}`).join('\n')}${s.skipped.length > 10 ? `\n… and ${s.skipped.length - 10} more` : ''}`
            : '';
          const d = s.diff;
          // Notes say e.g. which sources a changed configuration dropped, with their document counts.
          const notes = s.notes.map((n) => `\nNote: ${n}`).join('');
          return `${head} — ${s.documents} documents (${d.added} added, ${d.changed} changed, ${d.removed} removed), ${s.chunks} passages in ${s.seconds.toFixed(1)} s.${skipped}${notes}`;
        } catch (err) {
          if (err instanceof DocentError && err.code === 'reindex_busy') return '⏳ A reindex is already running; try again when it has finished.';
          return `❌ Reindex failed; the previous index is still serving. (${err instanceof DocentError ? redactUrlsInText(err.message) : 'see the log'})`;
        }
      },
    };
  },
};
