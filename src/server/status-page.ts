import type { SourceReport, StatusReport } from '../../commands/services.js';
import { redactUrl, redactUrlsInText } from '../core/redact-url.js';

/**
 * The human status page served at `/`: one self-contained HTML document (inline CSS, no scripts, no external
 * assets) so it works behind any proxy, on a Space, and with a screen reader. It is rendered only from the
 * status report, and every dynamic string is escaped. The page is public, so URLs in it are redacted here too
 * (`shown`), not only where the report is built: one missed caller must not publish a feed's API key.
 */

export type StatusPageReport = StatusReport & { sources: SourceReport['sources'] };

export interface StatusPageOptions {
  title: string;
  /** The clock for "age" figures; injectable so tests are deterministic. */
  now?: Date;
  /** Link to `/insights` (when the server serves it). */
  insights?: boolean;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const num = (n: number): string => escapeHtml(n.toLocaleString('en-US'));

/** Free text for the page: URLs redacted (userinfo, keys, token segments), then escaped. */
const shown = (value: unknown): string => escapeHtml(redactUrlsInText(String(value)));

/** "3 h 12 min ago" / "in 5 min": coarse on purpose, the exact timestamp sits next to it. */
export function formatAge(iso: string, now: Date): string {
  const ms = now.getTime() - Date.parse(iso);
  if (!Number.isFinite(ms)) return 'unknown';
  const min = Math.floor(Math.abs(ms) / 60_000);
  const h = Math.floor(min / 60);
  const span = min < 1 ? 'less than a minute' : min < 60 ? `${min} min` : h < 48 ? `${h} h ${min % 60} min` : `${Math.floor(h / 24)} days`;
  return ms >= 0 ? `${span} ago` : `in ${span}`;
}

/** A `<time>` element: machine-readable datetime, readable text, and the age. */
function time(iso: string, now: Date): string {
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso)}</time> <span class="muted">(${escapeHtml(formatAge(iso, now))})</span>`;
}

/** A two-column definition list for the headline figures. */
function facts(rows: Array<[string, string]>): string {
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/** A table with a caption and header cells scoped for assistive technology; cells are pre-escaped HTML. */
function table(caption: string, head: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="muted">${escapeHtml(empty)}</p>`;
  const th = head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`).join('');
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Health shown as words and a symbol, never by colour alone. */
function health(ok: boolean, text: string): string {
  return `<span class="${ok ? 'ok' : 'bad'}">${ok ? '✔' : '✘'} ${escapeHtml(text)}</span>`;
}

const CSS = `
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--muted:#595959;--ok:#1a6a2e;--bad:#b3261e;--line:#d0d0d0}
@media (prefers-color-scheme:dark){:root{--fg:#eee;--bg:#151515;--muted:#b0b0b0;--ok:#7bd88f;--bad:#ff8a80;--line:#444}}
body{font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);max-width:60rem;margin:0 auto;padding:1rem 1.5rem}
h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:1.8rem 0 .6rem;border-bottom:1px solid var(--line)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1.2rem;margin:0}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;width:100%}caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid var(--line);padding:.35rem .6rem;text-align:left;vertical-align:top}
.muted{color:var(--muted)}.ok{color:var(--ok)}.bad{color:var(--bad)}
.figure{font-size:1.4rem;font-weight:700}
`;

/** Renders the status page. Pure: the same report and clock give the same HTML. */
export function renderStatusPage(report: StatusPageReport, opts: StatusPageOptions): string {
  const now = opts.now ?? new Date();
  const r = report;
  const sources = table(
    'Documents and passages per source',
    ['Source', 'Documents', 'Passages'],
    r.sources.map((s) => [`<code>${escapeHtml(redactUrl(s.source))}</code>`, num(s.documents), num(s.chunks)]),
    'No sources are indexed yet.',
  );
  const runs = table(
    'Last reindex of each trigger',
    ['Trigger', 'Finished', 'Result', 'Summary'],
    r.lastRuns.map((run) => [escapeHtml(run.trigger), time(run.finishedAt, now), health(run.ok, run.ok ? 'succeeded' : 'failed'), shown(run.summary)]),
    'No reindex has run yet.',
  );
  const backends = table(
    'Answer backends in fallback order',
    ['Backend', 'Health', 'Circuit'],
    r.backends.map((b) => [`<code>${shown(b.id)}</code>`, health(b.healthy, b.healthy ? 'healthy' : 'unavailable'), escapeHtml(b.state)]),
    'No answer backends are configured.',
  );
  const schedule = r.schedule
    ? facts([
        ['Schedule', `<code>${escapeHtml(r.schedule.expression)}</code> (${escapeHtml(r.schedule.timezone)})`],
        ['Next run', r.schedule.nextRun ? time(r.schedule.nextRun, now) : '<span class="muted">not scheduled</span>'],
      ])
    : '<p class="muted">No reindex schedule in this process.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(opts.title)}</h1></header>
<main>
<section aria-labelledby="catalog"><h2 id="catalog">Catalog</h2>
${facts([
  ['Documents', `<span class="figure" id="documents">${num(r.documents)}</span>`],
  ['Passages', `<span class="figure" id="passages">${num(r.chunks)}</span>`],
  ['Index version', `<span id="index-version">${num(r.indexVersion)}</span>`],
  ['Built', time(r.builtAt, now)],
  ['Sources checked', time(r.checkedAt, now)],
  ['Embedder', `<code>${shown(r.embedder.id)}</code>${r.embedder.fallback ? ' <span class="bad">(fallback: the configured embedder was unavailable)</span>' : ''}`],
])}
${sources}
</section>
<section aria-labelledby="reindex"><h2 id="reindex">Reindex</h2>
${facts([['Running now', r.reindexRunning ? 'yes' : 'no']])}
${schedule}
${runs}
</section>
<section aria-labelledby="answers"><h2 id="answers">Answers</h2>
${facts([
  ['Answers served', `<span class="figure" id="answers-served">${num(r.answers)}</span>`],
  ['Helpful votes', `<span id="feedback-up">${num(r.feedback.up)}</span>`],
  ['Unhelpful votes', `<span id="feedback-down">${num(r.feedback.down)}</span>`],
])}
${backends}
</section>
</main>
<footer><p class="muted">Rendered <time datetime="${escapeHtml(now.toISOString())}">${escapeHtml(now.toISOString())}</time>. Machine-readable: <a href="/metrics">/metrics</a>, <a href="/readyz">/readyz</a>.${opts.insights ? ' What people asked: <a href="/insights">/insights</a>.' : ''}</p></footer>
</body>
</html>
`;
}
