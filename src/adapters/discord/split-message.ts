/**
 * Splits text into Discord-sized messages (≤ 2000 characters each) at the most readable boundary available:
 * a paragraph, else a line, else a sentence, else a word — and never inside a Markdown link `[t](u)`, a bare
 * URL, a `<…>` span (suppressed links, mentions, timestamps), a citation marker `[12]`/`[1, 7]`, inline code
 * or bold text. Pure and lossless: the chunks concatenate to the input exactly (the separator stays at the
 * end of the earlier chunk, where Discord trims it away on display).
 */

/** Discord's limit on message content. */
export const DISCORD_MESSAGE_LIMIT = 2000;

/** Spans a cut must not fall inside. Each pattern is bounded so a stray bracket cannot protect a whole text. */
const PROTECTED: RegExp[] = [
  // [text](url) and [text](<url>); the text may contain escaped characters such as \[ from escapeMarkdown.
  /\[(?:\\.|[^[\]\\\n]){0,500}\]\((?:<[^<>\n]{0,1500}>|[^()\s]{0,1500})\)/g,
  /<[^<>\n]{1,1500}>/g,
  /\bhttps?:\/\/[^\s<>]+/g,
  /\[\d+(?:\s*,\s*\d+)*\]/g,
  /`[^`\n]{1,500}`/g,
  /\*\*[^*\n]{1,500}\*\*/g,
];

/** Boundary classes in order of preference; a cut goes right after the match (after the whitespace). */
const PARAGRAPH = /\n[ \t]*\n\s*/g;
const LINE = /\n\s*/g;
// A sentence end may carry closing quotes/brackets and citation markers: "… the logger. [1] Next".
const SENTENCE = /[.!?…]["')\]”’]*(?:[ \t]*\[\d+(?:\s*,\s*\d+)*\])*\s+/g;
const WORD = /\s+/g;

/**
 * Splits `text` into chunks of at most `limit` characters (UTF-16 code units, which never undercounts what
 * Discord counts). Returns `['']` for empty text so callers always have a first message.
 */
export function splitMessage(text: string, limit = DISCORD_MESSAGE_LIMIT): string[] {
  if (limit < 1) throw new RangeError('limit must be at least 1');
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const cut = findCut(rest, limit);
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0 || chunks.length === 0) {
    // Whitespace alone would be an empty (rejected) message: it belongs to the previous chunk if it fits.
    const last = chunks.length - 1;
    if (last >= 0 && rest.trim() === '') {
      if (chunks[last]!.length + rest.length <= limit) chunks[last] += rest;
    } else chunks.push(rest);
  }
  return chunks;
}

/** The position (1…limit) where the first chunk of `s` should end. */
function findCut(s: string, limit: number): number {
  // Spans can start before the limit and end after it, so look a little past it.
  const window = s.slice(0, Math.min(s.length, limit + 1600));
  const spans = protectedSpans(window);
  const safe = (p: number) => !spans.some(([a, b]) => a < p && p < b) && !splitsSurrogate(s, p);

  // First try to fill at least half a message so a tiny early paragraph does not cost a whole message.
  const half = Math.floor(limit / 2);
  for (const pattern of [PARAGRAPH, LINE, SENTENCE]) {
    const p = lastBoundary(window, pattern, limit, half, safe);
    if (p > 0) return p;
  }
  for (const pattern of [PARAGRAPH, LINE, SENTENCE, WORD]) {
    const p = lastBoundary(window, pattern, limit, 1, safe);
    if (p > 0) return p;
  }
  // No boundary at all (one enormous word): the last position outside protected spans, then a hard cut.
  for (let p = limit; p > 0; p--) if (safe(p)) return p;
  return splitsSurrogate(s, limit) ? limit - 1 : limit;
}

/** The largest match end of `pattern` in [min, limit] that `safe` accepts, or 0. */
function lastBoundary(s: string, pattern: RegExp, limit: number, min: number, safe: (p: number) => boolean): number {
  let best = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(s); m !== null; m = pattern.exec(s)) {
    if (m.index >= limit) break;
    const end = m.index + m[0].length;
    if (end <= limit && end >= min && end < s.length && safe(end)) best = end;
    if (m[0].length === 0) pattern.lastIndex++;
  }
  return best;
}

/** [start, end) ranges of every protected span in `s`. */
export function protectedSpans(s: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const pattern of PROTECTED) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(s); m !== null; m = pattern.exec(s)) spans.push([m.index, m.index + m[0].length]);
  }
  return spans;
}

function splitsSurrogate(s: string, p: number): boolean {
  const code = s.charCodeAt(p - 1);
  return code >= 0xd800 && code <= 0xdbff;
}
