import { inertText } from './inert-text.js';
import type { InsightsReport, RecordRef } from './insights-report.js';

/**
 * `docent insights --csv`: ONE table, the work list a maintainer sorts in a spreadsheet — every not-found
 * question group and every answer rated 👎, told apart by the `kind` column:
 *
 *   kind          not-found | thumbs-down
 *   count         times asked (group) | 👎 votes, one per person (answer)
 *   people        distinct askers (group) | people who voted 👎 (answer)
 *   up_votes      empty (group) | 👍 votes on the same answer
 *   last_at       last asked (group) | last 👎 (answer), ISO UTC
 *   surfaces      "discord 3; web 1" (group) | the answer's surface
 *   question      the most common wording (group) | the question answered
 *   other_wordings the group's other wordings, " | "-separated (empty for thumbs-down)
 *   sources       closest records (group) | cited sources (answer): "title <url or id>", " | "-separated
 *   answer_id     empty (group) | the answer's id (to find it in the activity log)
 *
 * RFC 4180 quoting; CRLF line ends. Cells are untrusted text: control characters and bidi overrides become U+FFFD
 * (`inertText`), line breaks and other whitespace one space, and a cell that a
 * spreadsheet would run as a formula (starting with = + - @ or a tab/CR) gets a leading apostrophe (OWASP's
 * advice against CSV injection) — a question typed as `=HYPERLINK(…)` stays text.
 */
export const CSV_HEADER = ['kind', 'count', 'people', 'up_votes', 'last_at', 'surfaces', 'question', 'other_wordings', 'sources', 'answer_id'];

export function renderInsightsCsv(r: InsightsReport): string {
  const rows: Array<Array<string | number>> = [CSV_HEADER];
  for (const g of r.notFound) {
    rows.push(['not-found', g.count, g.askers, '', g.lastAsked, Object.entries(g.surfaces).map(([k, v]) => `${k} ${v}`).join('; '), g.example, g.wordings.join(' | '), g.closest.map(ref).join(' | '), '']);
  }
  for (const d of r.downvoted) rows.push(['thumbs-down', d.down, d.down, d.up, d.lastVoteAt, d.surface, d.question, '', d.sources.map(ref).join(' | '), d.answerId]);
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

function ref(s: RecordRef): string {
  return `${s.title} <${s.url ?? s.sourceId}>`;
}

export function cell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  let s = inertText(value).replace(/\s+/g, ' ').trim();
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
