import { stripControls, terminalText } from '../adapters/shared/untrusted-text.js';
import { inertText } from './inert-text.js';
import type { InsightsReport, RecordRef } from './insights-report.js';

/**
 * The insights report as plain text for a terminal or a mail: no colours or other escape codes at all (it is read
 * as often through `| less` or a cron mail as on a TTY), one section per question a maintainer has.
 *
 * Questions and titles are untrusted (anyone can ask, anyone can write a document): `inertText` turns control
 * characters (an ESC sequence could rewrite the screen or hide a link) and bidi overrides into U+FFFD, then
 * `terminalText` defangs URLs; links built from the catalog keep their text but not those characters. Multi-line
 * questions are shown on one line.
 */

const MAX_QUESTION = 200;
/** Groups and 👎 answers listed in full; the rest are counted (all are in --json / --csv). */
const MAX_ROWS = 30;

export function renderInsightsText(r: InsightsReport): string {
  const out: string[] = [];
  const t = r.totals;
  out.push(`Docent insights — last ${r.window.label} (${when(r.window.from)} → ${when(r.window.until)})`);
  out.push(
    `Questions: ${t.questions} from ${t.askers} ${t.askers === 1 ? 'person' : 'people'} · answered ${t.answered} · not found ${t.notFound} (${pct(r.rates.notFound)})` +
      ` · fallback ${t.fallbacks} (${pct(r.rates.fallback)}) · errors ${t.errors} (${pct(r.rates.error)}) · cached ${t.cached} · votes 👍 ${t.votesUp} 👎 ${t.votesDown}`,
  );
  if (t.errors) out.push(`Errors by kind: ${Object.entries(r.errorsByCode).map(([k, n]) => `${line(k)} ${n}`).join(', ')}`);

  out.push('', heading(`Questions not found — ${t.notFound} in ${r.notFound.length} group(s) of similar wording`));
  if (!r.notFound.length) out.push(t.questions ? '  None: every question found something in the catalog.' : '  None: no questions in this window.');
  r.notFound.slice(0, MAX_ROWS).forEach((g, i) => {
    out.push(`  ${i + 1}. ×${g.count} (${g.askers} ${g.askers === 1 ? 'person' : 'people'}) "${question(g.example)}"`);
    out.push(`     last asked ${when(g.lastAsked)} · ${counts(g.surfaces)}`);
    if (g.wordings.length) out.push(`     also asked: ${g.wordings.slice(0, 4).map((w) => `"${question(w)}"`).join(' · ')}${g.wordings.length > 4 ? ` · +${g.wordings.length - 4} more` : ''}`);
    out.push(`     closest records: ${g.closest.length ? g.closest.slice(0, 3).map((c) => `${ref(c)}${c.times > 1 ? ` ×${c.times}` : ''}`).join('; ') : 'none recorded'}`);
  });
  more(out, r.notFound.length, 'groups');

  out.push('', heading(`Answers rated 👎 — ${r.downvoted.length}`));
  if (!r.downvoted.length) out.push('  None.');
  for (const d of r.downvoted.slice(0, MAX_ROWS)) {
    out.push(`  - ${when(d.lastVoteAt)} [${line(d.surface)}] "${question(d.question)}" — 👎 ${d.down}${d.up ? ` 👍 ${d.up}` : ''}${d.backend ? `, answered by ${line(d.backend)}` : ''}${d.notFound ? ' (not found)' : ''}`);
    if (!d.sources.length) out.push('      cited nothing');
    for (const [i, s] of d.sources.entries()) out.push(`      [${i + 1}] ${ref(s)}${s.page !== null ? ` p. ${s.page}` : ''}`);
  }
  more(out, r.downvoted.length, 'answers');

  out.push('', heading('Most-cited sources'));
  if (!r.mostCited.length) out.push('  No answer cited a source in this window.');
  for (const c of r.mostCited) out.push(`  ${String(c.count).padStart(5)}  ${ref(c)}`);

  const n = r.neverCited;
  out.push('', heading('Never-cited sources'));
  if (!n.available) out.push('  Unknown: there is no index in this data dir (run `docent index`).');
  else {
    out.push(`  ${n.count} of ${n.catalogRecords} indexed records were not cited by any answer in this window${n.shown.length < n.count ? ` (first ${n.shown.length} by title)` : ''}.`);
    for (const s of n.shown) out.push(`    ${ref(s)}`);
  }

  out.push('', heading('Questions per day (UTC)'));
  out.push(...perDayTable(r));
  if (r.notes.length) out.push('', heading('Notes'), ...r.notes.map((s) => `  - ${s}`));
  return `${out.join('\n')}\n`;
}

function perDayTable(r: InsightsReport): string[] {
  const head = ['day', 'total', ...r.surfaces.map(line)];
  const rows = r.perDay.map((d) => [d.day, String(d.total), ...r.surfaces.map((s) => String(d.bySurface[s] ?? 0))]);
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ')}`;
  return [fmt(head), ...rows.map(fmt)];
}

const heading = (s: string): string => `${s}\n${'─'.repeat(Math.min(s.length, 80))}`;

/** Untrusted single-line text for the terminal. */
function line(s: string): string {
  return terminalText(inertText(s)).replace(/\s+/g, ' ').trim();
}

function question(s: string): string {
  const l = line(s);
  return l.length > MAX_QUESTION ? `${l.slice(0, MAX_QUESTION - 1)}…` : l;
}

/** "Title <link>", the link being the record's URL or else its source id (a path in the catalog). */
function ref(s: RecordRef): string {
  const where = s.url ? stripControls(inertText(s.url)).replace(/\s+/g, '%20') : line(s.sourceId);
  return line(s.title) === line(where) ? where : `${line(s.title)} <${where}>`;
}

function counts(m: Record<string, number>): string {
  return Object.entries(m).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).map(([k, v]) => `${line(k)} ${v}`).join(', ');
}

function more(out: string[], total: number, what: string): void {
  if (total > MAX_ROWS) out.push(`  … and ${total - MAX_ROWS} more ${what} (all are in --json and --csv)`);
}

export function pct(x: number | null): string {
  return x === null ? '–' : `${(x * 100).toFixed(x > 0 && x < 0.1 ? 1 : 0)} %`;
}

/** "2026-05-04 09:12 UTC": minutes are enough for a weekly read. */
export function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
