import type { DocentServices } from './services.js';
import { visibleSources } from './sources.js';
import type { CommandDefinition } from './types.js';
import { publicBackend } from '../src/core/answer/public-reason.js';

export const statusCommand: CommandDefinition = {
  name: 'status',
  description: 'Index size and age, embedder, answer backends, answers and feedback',
  options: [],
  access: 'everyone',
  async run({ services, invoker }) {
    const s = await services.status();
    // Named without their endpoints (`openai:m@http://10.0.0.5:8000` → `openai:m`): any chat user may run status.
    const backends = s.backends.map((b) => `${b.healthy ? '✅' : '⏸️'} ${publicBackend(b.id)}${b.healthy ? '' : ` (${b.state})`}`).join(', ');
    // A scoped channel sees the size of its own sources only, and no run summaries (they count and name the rest).
    const scope = services.scopeFor(invoker.channelId);
    const size = scope ? await scopedSize(services, scope) : `${s.documents} documents, ${s.chunks} passages`;
    const markdown = [
      '**Docent status**',
      `• Index: version ${s.indexVersion}, ${size} — built ${age(s.builtAt)}, checked ${age(s.checkedAt)}${s.reindexRunning ? ' (reindex running)' : ''}`,
      `• Embedder: ${s.embedder.id}${s.embedder.fallback ? ' (no-download fallback)' : ''}`,
      `• Answer backends: ${backends}`,
      `• Answers: ${s.answers} · feedback 👍 ${s.feedback.up} / 👎 ${s.feedback.down}`,
      s.schedule
        ? `• Reindex schedule: \`${s.schedule.expression}\` (${s.schedule.timezone}), next ${s.schedule.nextRun ?? 'not scheduled'}`
        : '• Reindex schedule: none (admin command or `docent index` only)',
      ...s.lastRuns.map((r) => `• Last ${r.trigger} reindex: ${r.ok ? '✅' : '❌'} ${age(r.finishedAt)}${scope ? '' : ` — ${r.summary}`}`),
    ].join('\n');
    return { type: 'text', markdown, ephemeral: true };
  },
};

/** The size of what a scoped channel may search, e.g. "12 documents, 40 passages in this channel's sources". */
async function scopedSize(services: DocentServices, scope: readonly string[]): Promise<string> {
  if (scope.length === 0) return 'no catalog in this channel';
  const { sources, documents } = visibleSources((await services.sources()).sources, scope);
  const docs = sources.reduce((n, x) => n + x.documents, 0) + documents.length;
  const passages = documents.length ? '' : `, ${sources.reduce((n, x) => n + x.chunks, 0)} passages`;
  return `${docs} documents${passages} in this channel's sources`;
}

/** "5 minutes ago" style age of an ISO timestamp. */
export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (Number.isNaN(s)) return 'at an unknown time';
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}
