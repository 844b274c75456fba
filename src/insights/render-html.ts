import { createHash } from 'node:crypto';
import { httpUrl } from '../adapters/shared/untrusted-text.js';
import { escapeHtml, formatAge } from '../server/status-page.js';
import { inertText } from './inert-text.js';
import type { InsightsReport, RecordRef } from './insights-report.js';
import { pct, when } from './render-text.js';

/**
 * The `/insights` page: the same report as `docent insights`, as one self-contained HTML document — no scripts,
 * no external assets, one inline <style> allowed by its hash in the page's own CSP (`insightsCsp`), so nothing
 * else can run or load even if escaping were ever missed. Readable on a phone: cards for the question groups,
 * the wide per-day table scrolls sideways on its own.
 *
 * Every dynamic string goes through `esc`: control and bidi-override characters become U+FFFD (`inertText`), then
 * `escapeHtml` (questions and titles are untrusted); links are made only from http(s) URLs (`httpUrl`), so a
 * `javascript:` record URL is shown as text, never as a link.
 */

const CSS = `
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--muted:#595959;--bad:#b3261e;--line:#d0d0d0;--card:#f6f6f6}
@media (prefers-color-scheme:dark){:root{--fg:#eee;--bg:#151515;--muted:#b0b0b0;--bad:#ff8a80;--line:#444;--card:#222}}
body{font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:1.8rem 0 .6rem;border-bottom:1px solid var(--line)}
nav a{margin-right:.8rem}nav a[aria-current]{font-weight:700}
ul.figures{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem}.figures b{font-size:1.3rem}
article{background:var(--card);border-radius:.4rem;padding:.6rem .8rem;margin:.6rem 0;overflow-wrap:anywhere}
article h3{font-size:1rem;margin:0 0 .3rem}ol,ul{padding-left:1.3rem}
.muted{color:var(--muted)}.bad{color:var(--bad)}.scroll{overflow-x:auto}
table{border-collapse:collapse;min-width:100%}th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
`;

/** The page's CSP: nothing but its own stylesheet (by hash); frame-ancestors as configured for the status page. */
export function insightsCsp(frameAncestors = "'none'"): string {
  const hash = createHash('sha256').update(CSS, 'utf8').digest('base64');
  return `default-src 'none'; style-src 'sha256-${hash}'; frame-ancestors ${frameAncestors}; base-uri 'none'; form-action 'none'`;
}

const WINDOWS = ['24h', '7d', '30d'];

/** Untrusted text for the page: controls and bidi overrides neutralised, then HTML-escaped. */
const esc = (value: unknown): string => escapeHtml(inertText(String(value)));

export function renderInsightsHtml(r: InsightsReport, opts: { title?: string } = {}): string {
  const title = opts.title ?? 'Docent insights';
  const now = new Date(r.generatedAt);
  const t = r.totals;
  const nav = WINDOWS.map((w) => `<a href="/insights?since=${w}"${w === r.window.label ? ' aria-current="page"' : ''}>last ${w}</a>`).join('');
  const figures = [
    ['Questions', t.questions], ['People', t.askers], ['Answered', t.answered], ['Not found', `${t.notFound} (${pct(r.rates.notFound)})`],
    ['Fallback', `${t.fallbacks} (${pct(r.rates.fallback)})`], ['Errors', `${t.errors} (${pct(r.rates.error)})`], ['👍', t.votesUp], ['👎', t.votesDown],
  ].map(([k, v]) => `<li>${esc(k)}: <b>${esc(v)}</b></li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(title)}</h1>
<p class="muted">${esc(when(r.window.from))} → ${esc(when(r.window.until))}</p>
<nav aria-label="Window">${nav}<a href="/status">status</a></nav></header>
<main>
<section aria-labelledby="summary"><h2 id="summary">Summary</h2><ul class="figures">${figures}</ul>
${t.errors ? `<p>Errors by kind: ${Object.entries(r.errorsByCode).map(([k, n]) => `<code>${esc(k)}</code> ${n}`).join(', ')}</p>` : ''}</section>
<section aria-labelledby="not-found"><h2 id="not-found">Questions not found (${t.notFound} in ${r.notFound.length} groups)</h2>
${r.notFound.length ? r.notFound.map((g, i) => `<article id="group-${i + 1}"><h3>×${g.count} “${esc(g.example)}”</h3>
<p class="muted">${g.askers} ${g.askers === 1 ? 'person' : 'people'} · last asked ${time(g.lastAsked, now)} · ${esc(Object.entries(g.surfaces).map(([k, v]) => `${k} ${v}`).join(', '))}</p>
${g.wordings.length ? `<p>Also asked: ${g.wordings.map((w) => `“${esc(w)}”`).join(' · ')}</p>` : ''}
<p>Closest records: ${g.closest.length ? g.closest.map((c) => `${link(c)}${c.times > 1 ? ` ×${c.times}` : ''}`).join('; ') : '<span class="muted">none recorded</span>'}</p></article>`).join('\n') : '<p class="muted">None: every question found something in the catalog.</p>'}
</section>
<section aria-labelledby="downvoted"><h2 id="downvoted">Answers rated 👎 (${r.downvoted.length})</h2>
${r.downvoted.length ? r.downvoted.map((d) => `<article><h3>“${esc(d.question)}”</h3>
<p class="muted">👎 ${d.down}${d.up ? ` · 👍 ${d.up}` : ''} · ${time(d.lastVoteAt, now)} · ${esc(d.surface)}${d.backend ? ` · answered by <code>${esc(d.backend)}</code>` : ''}${d.notFound ? ' · <span class="bad">not found</span>' : ''}</p>
${d.sources.length ? `<ol>${d.sources.map((s) => `<li>${link(s)}${s.page !== null ? ` p. ${s.page}` : ''}</li>`).join('')}</ol>` : '<p class="muted">Cited nothing.</p>'}</article>`).join('\n') : '<p class="muted">None.</p>'}
</section>
<section aria-labelledby="cited"><h2 id="cited">Most-cited sources</h2>
${r.mostCited.length ? `<div class="scroll"><table><thead><tr><th scope="col" class="n">Answers</th><th scope="col">Source</th></tr></thead><tbody>${r.mostCited.map((c) => `<tr><td class="n">${c.count}</td><td>${link(c)}</td></tr>`).join('')}</tbody></table></div>` : '<p class="muted">No answer cited a source in this window.</p>'}
</section>
<section aria-labelledby="never"><h2 id="never">Never-cited sources</h2>
${neverCited(r)}
</section>
<section aria-labelledby="per-day"><h2 id="per-day">Questions per day (UTC)</h2>
${perDay(r)}
</section>
${r.notes.length ? `<section aria-labelledby="notes"><h2 id="notes">Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></section>` : ''}
</main>
<footer><p class="muted">Rendered <time datetime="${esc(r.generatedAt)}">${esc(r.generatedAt)}</time>. The same report: <code>docent insights --since ${esc(r.window.label)}</code> (also <code>--json</code>, <code>--csv</code>).</p></footer>
</body>
</html>
`;
}

function neverCited(r: InsightsReport): string {
  const n = r.neverCited;
  if (!n.available) return '<p class="muted">Unknown: there is no index yet.</p>';
  const head = `<p>${n.count} of ${n.catalogRecords} indexed records were not cited by any answer in this window${n.shown.length < n.count ? ` (first ${n.shown.length} by title)` : ''}.</p>`;
  return n.shown.length ? `${head}<ul>${n.shown.map((s) => `<li>${link(s)}</li>`).join('')}</ul>` : head;
}

function perDay(r: InsightsReport): string {
  const head = `<tr><th scope="col">Day</th><th scope="col" class="n">Total</th>${r.surfaces.map((s) => `<th scope="col" class="n">${esc(s)}</th>`).join('')}</tr>`;
  const rows = r.perDay.map((d) => `<tr><th scope="row">${esc(d.day)}</th><td class="n">${d.total}</td>${r.surfaces.map((s) => `<td class="n">${d.bySurface[s] ?? 0}</td>`).join('')}</tr>`).join('');
  return `<div class="scroll"><table><thead>${head}</thead><tbody>${rows}</tbody></table></div>`;
}

/** A record: its title linked to its http(s) URL when it has one, else the title and its source id. */
function link(s: RecordRef): string {
  const href = httpUrl(s.url);
  if (href) return `<a href="${esc(href)}" rel="noreferrer noopener">${esc(s.title)}</a>`;
  return s.title === s.sourceId ? `<code>${esc(s.sourceId)}</code>` : `${esc(s.title)} <code>${esc(s.sourceId)}</code>`;
}

function time(iso: string, now: Date): string {
  return `<time datetime="${esc(iso)}">${esc(when(iso))}</time> <span class="muted">(${esc(formatAge(iso, now))})</span>`;
}
