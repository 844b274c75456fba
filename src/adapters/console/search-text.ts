import type { Degradation, SearchHit } from '../../core/types.js';
import { httpUrl, stripControls, terminalText } from '../shared/untrusted-text.js';

/** What `docent search` prints of a hit (a RetrievedHit has more; these are the shown fields). */
export type ShownHit = Pick<SearchHit, 'sourceId' | 'title' | 'page' | 'url' | 'score' | 'text'> & { alsoIn: string[] };

/**
 * `docent search` results for a terminal, one block per hit:
 *
 *   1. Elk Winter Range  (0.0331)
 *      catalogs/usfs/data.json#elk · p. 3 · https://example.org/elk
 *      Winter range polygons for elk in northeast Oregon…
 *
 * Titles, source ids (file names), snippets and twin ids come from documents: control characters are dropped
 * (an ESC sequence could recolour the terminal, move the cursor, retitle the window or hide a link's target in an
 * OSC 8 hyperlink) and URLs in them defanged. The record's own http(s) URL is printed as the record's link, like a
 * citation; any other URL is untrusted text.
 */
export function formatHits(hits: readonly ShownHit[]): string {
  if (hits.length === 0) return 'No matches.\n';
  return hits
    .map((h, i) => {
      const where = [line(h.sourceId), h.page ? `p. ${h.page}` : '', h.url && h.url !== h.sourceId ? recordUrl(h.url) : ''].filter(Boolean).join(' · ');
      const text = line(h.text);
      const snippet = text.length > 240 ? `${text.slice(0, 240)}…` : text;
      const twins = h.alsoIn.length ? `\n   also in: ${h.alsoIn.map(line).join(', ')}` : '';
      return `${i + 1}. ${line(h.title)}  (${h.score.toFixed(4)})\n   ${where}${twins}\n   ${snippet}`;
    })
    .join('\n\n')
    .concat('\n');
}

/** The "(degraded: …)" notes under the hits; reasons can quote a server's error text. */
export function formatDegraded(degraded: readonly Degradation[]): string {
  return degraded.map((d) => `(degraded: ${d.part} unavailable — ${line(d.reason)}; results from the rest)\n`).join('');
}

/** One line of untrusted text. Controls go first, so `a\u001b\nb` cannot hide a newline either. */
function line(s: string): string {
  return terminalText(s).replace(/\s+/g, ' ').trim();
}

function recordUrl(url: string): string {
  const u = httpUrl(url);
  return u ? stripControls(u).replace(/\s/g, encodeURIComponent) : line(url);
}
