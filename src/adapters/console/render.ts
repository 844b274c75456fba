import type { Citation, FinishInfo } from '../../core/answer/types.js';
import { httpUrl, stripControls, terminalText, UntrustedStream } from '../shared/untrusted-text.js';

/**
 * "[1] Title — https://… (page 3)", one line per cited source. The record's http(s) URL is printed as it is
 * (a terminal may make it clickable: it is the citation link); titles, paths and source ids are untrusted text
 * (no control sequences, URLs defanged), and a non-http URL (javascript:, file:) is not printed as a URL.
 */
export function formatCitations(citations: Citation[]): string {
  if (citations.length === 0) return '';
  const lines = citations.map((c) => {
    const url = httpUrl(c.url);
    const where = url ? stripControls(url).replace(/\s/g, encodeURIComponent) : terminalText(c.path ?? c.sourceId);
    const page = c.page !== null ? ` (page ${c.page})` : '';
    return `  [${c.n}] ${terminalText(c.title).replace(/\s+/g, ' ')} — ${where}${page}`;
  });
  return `Sources:\n${lines.join('\n')}`;
}

/**
 * Answer text for a terminal as it streams (see shared/untrusted-text.ts): control sequences dropped (an OSC 8
 * hyperlink would hide its target), URLs defanged. Markdown needs nothing: a terminal shows `[x](url)` as
 * typed.
 */
export function terminalStream(): UntrustedStream {
  return new UntrustedStream(terminalText);
}

/**
 * The answer's notes are chat Markdown italics — `_Note: … answered by excerpts…_` at the end, `_(… stopped
 * mid-answer … )_` where a backend failed — and a terminal would print the underscores. The pipeline sends each
 * note as one text delta of whole lines, so a delta is enough to see one.
 */
export function plainNotes(delta: string): string {
  return delta.replace(/(^|\n)_((?:Note: |\()[^\n]*)_(?=\n|$)/g, '$1$2');
}

/** One dim line under the answer: who answered and how long it took. */
export function formatMeta(info: FinishInfo): string {
  const parts = [info.cached ? 'cached answer' : info.notFound && info.backend === 'none' ? 'not found in the catalog' : `answered by ${info.backend === 'extractive' ? 'excerpts (no LLM)' : info.backend}`];
  if (info.fallbacks.length) parts.push(`after ${info.fallbacks.map((f) => f.backend).join(', ')} failed`);
  parts.push(`${Math.round(info.timings.totalMs)} ms`);
  return `(${parts.join(' · ')})`;
}

/**
 * JSON for stdout (`--json`): the same data, with DEL and the C1 controls (U+007F–U+009F; CSI is U+009B) written
 * as `\u` escapes too. JSON.stringify escapes U+0000–U+001F itself but prints those raw, and some terminals act
 * on them; a program parsing the output gets identical strings.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
