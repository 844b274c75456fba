import type { Citation, FinishInfo } from '../../core/answer/types.js';
import { defangUrls, httpUrl } from '../shared/untrusted-text.js';
import { DATASETS_HEADING } from './dataset-embeds.js';
import { escapeInline } from './sanitize.js';

/**
 * The numbered source list under an answer, as plain Markdown lines in the message itself:
 *
 *     **Sources**
 *     [1] [Field Manual](<https://example.org/manual.pdf>) — page 3
 *     [2] Sensor network guide — `guides/sensor-network.md`
 *
 * Titles, source ids and paths are untrusted (see shared/untrusted-text.ts): the only link on a line is the one
 * built here from the record's http(s) URL.
 *
 * Plain lines rather than an embed keep an answer's messages self-contained text (history reads them back,
 * the splitter handles them like any paragraph); links are wrapped in <> and the messages carry the
 * SuppressEmbeds flag, so Discord shows no link previews.
 */

/** The heading that starts the list; history uses it to cut the list off a bot message. */
export const SOURCES_HEADING = '**Sources**';

/** One line per cited source; titles are escaped so their Markdown cannot break the layout. */
export function formatSourceList(citations: Citation[]): string {
  if (citations.length === 0) return '';
  const lines = citations.map((c) => {
    const title = escapeInline(c.title) || escapeInline(c.sourceId) || 'Untitled';
    const link = safeLink(c.url);
    const head = link ? `[${title}](<${link}>)` : title;
    const where = !link && c.path ? ` — \`${defangUrls(c.path.replace(/`/g, "'"))}\`` : '';
    const page = c.page !== null ? ` — page ${c.page}` : '';
    return `[${c.n}] ${head}${where}${page}`;
  });
  return `${SOURCES_HEADING}\n${lines.join('\n')}`;
}

/**
 * Small print under the list. Fallback notes are already part of the answer text (the pipeline writes them),
 * so only a cache hit needs saying here.
 */
export function formatAnswerNote(info: Pick<FinishInfo, 'cached'>): string {
  return info.cached ? '-# Answered from the cache of recent answers.' : '';
}

/**
 * The whole final message text: answer, then sources, then the dataset cards when they are shown as text
 * (`cards`, from dataset-embeds.ts `cardsMarkdown`), then the note, separated by blank lines.
 */
export function formatFinalAnswer(answerText: string, info: Pick<FinishInfo, 'cached' | 'citations'>, cards = ''): string {
  return [answerText.trimEnd(), formatSourceList(info.citations), cards, formatAnswerNote(info)].filter(Boolean).join('\n\n');
}

/**
 * Removes the source list, the dataset cards shown as text and the note from a bot message, leaving the answer
 * (for thread history: the model should see what was said, not our bibliography).
 */
export function stripSourceList(text: string): string {
  let body = text;
  for (const heading of [SOURCES_HEADING, DATASETS_HEADING]) {
    const at = body.lastIndexOf(`\n${heading}\n`);
    body = at >= 0 ? body.slice(0, at) : body.startsWith(`${heading}\n`) ? '' : body;
  }
  return body.replace(/(?:\n-# [^\n]*)+\s*$/, '').trimEnd();
}

/** Only http(s) links become links; characters that would end `<…>` or `(…)` early are percent-encoded. */
function safeLink(url: string | null): string | null {
  const ok = httpUrl(url);
  if (!ok) return null;
  return ok.replace(/[\s<>()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
