/**
 * Splits text into chat-sized messages at the most readable boundary available: a paragraph, else a line,
 * else a sentence, else a word — and never inside a Markdown link `[t](u)`, a bare URL, a `<…>` span (Discord
 * suppressed links and mentions, Slack `<url|text>` links), a citation marker `[12]`/`[1, 7]`, inline code or
 * bold text. Pure and lossless: the chunks concatenate to the input exactly (the separator stays at the end of
 * the earlier chunk, where the platforms trim it away on display). Shared by the Discord adapter (2000-char
 * messages) and the Slack adapter, which also cuts text that is still streaming (`findCut` with `partial`).
 */

/** Discord's limit on message content (the default limit, for the adapter this splitter was written for). */
export const DISCORD_MESSAGE_LIMIT = 2000;

/** Spans a cut must not fall inside. Each pattern is bounded so a stray bracket cannot protect a whole text. */
const PROTECTED: RegExp[] = [
  // [text](url) and [text](<url>); the text may contain escaped characters such as \[ from escapeMarkdown. A
  // link from untrusted text, defused (shared/untrusted-text.ts), is kept whole too, so it reads as written:
  // `](` broken by a zero-width space, and on Discord both brackets escaped.
  /\[(?:\\.|[^[\]\\\n]){0,500}\]\u200b?\((?:<[^<>\n]{0,1500}>|[^()\s]{0,1500})\)/g,
  /\\\[(?:\\.|[^[\]\\\n]){0,500}?\\\]\u200b?\((?:\\?<[^<>\n]{0,1500}>|[^()\s]{0,1500})\)/g,
  /<[^<>\n]{1,1500}>/g,
  // Bare URLs, and defanged ones (hxxp://, x[:]//).
  /\b(?:https?|hxxps?):\/\/[^\s<>]+/g,
  /\b[a-z][a-z0-9+.-]*\[:\]\/\/[^\s<>]+/gi,
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

export interface CutOptions {
  /**
   * The cut may not come before this position: text up to it has already been shown where it cannot be taken
   * back (a Slack native stream). Default 1.
   */
  min?: number;
  /**
   * `s` is still growing: a link, URL, `<…>` span, inline code, bold or citation marker left open at its end
   * is protected up to the end, since it will close later.
   */
  partial?: boolean;
}

/** The position (min…limit) where the first chunk of `s` (longer than `limit`) should end. */
export function findCut(s: string, limit: number, o: CutOptions = {}): number {
  // Spans can start before the limit and end after it, so look a little past it.
  const window = s.slice(0, Math.min(s.length, limit + 1600));
  const spans = protectedSpans(window);
  // Open constructs only matter when the window shows the end of the text (else the window sees them close).
  if (o.partial && window.length === s.length) spans.push(...openSpans(window));
  const safe = (p: number) => !spans.some(([a, b]) => a < p && p < b) && !splitsSurrogate(s, p);
  const min = Math.min(limit, Math.max(1, o.min ?? 1));

  // First try to fill at least half a message so a tiny early paragraph does not cost a whole message.
  const half = Math.max(min, Math.floor(limit / 2));
  for (const pattern of [PARAGRAPH, LINE, SENTENCE]) {
    const p = lastBoundary(window, pattern, limit, half, safe);
    if (p > 0) return p;
  }
  for (const pattern of [PARAGRAPH, LINE, SENTENCE, WORD]) {
    const p = lastBoundary(window, pattern, limit, min, safe);
    if (p > 0) return p;
  }
  // No boundary at all (one enormous word): the last position outside protected spans, then a hard cut.
  for (let p = limit; p >= min; p--) if (safe(p)) return p;
  return splitsSurrogate(s, limit) && limit - 1 >= min ? limit - 1 : limit;
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

/** Constructs still open at the end of a growing text: an unclosed `[…` / `[…](…`, `<…`, or a URL. */
const OPEN_AT_END: RegExp[] = [
  /\[(?:\\.|[^[\]\\\n]){0,500}(?:\]\u200b?\((?:<[^<>\n]{0,1500}|[^()\s]{0,1500}))?$/,
  /<[^<>\n]{0,1500}$/,
  /\b(?:https?|hxxps?):\/\/[^\s<>]*$/,
];

/** Ranges from each construct still open at the end of `s` to past its end (so no cut lands inside). */
function openSpans(s: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const pattern of OPEN_AT_END) {
    const m = pattern.exec(s);
    if (m) spans.push([m.index, s.length + 1]);
  }
  // Inline code and bold are single-line pairs: an odd count on the last line means one is open.
  const lastLine = s.slice(s.lastIndexOf('\n') + 1);
  const lineStart = s.length - lastLine.length;
  for (const marker of ['`', '**']) {
    const count = lastLine.split(marker).length - 1;
    if (count % 2 === 1) spans.push([lineStart + lastLine.lastIndexOf(marker), s.length + 1]);
  }
  return spans;
}

function splitsSurrogate(s: string, p: number): boolean {
  const code = s.charCodeAt(p - 1);
  return code >= 0xd800 && code <= 0xdbff;
}
