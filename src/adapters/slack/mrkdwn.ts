/**
 * Text for Slack. Answers are written in Markdown; Slack shows two dialects:
 *
 * - `mrkdwn` (message `text` and section blocks), used for placeholder-and-`chat.update` answers, command
 *   replies and source lists. Links are `<url|text>`, bold is `*b*`, italics `_i_`; `&`, `<`, `>` must be
 *   escaped because `<…>` is Slack's control syntax (links, `<@U…>` mentions, `<!here>`).
 * - Markdown (`markdown_text` of `chat.startStream`/`appendStream`/`stopStream`), used for native streaming:
 *   Slack converts it itself, so only the control characters are escaped.
 *
 * Why mrkdwn rather than the 12k `markdown` block for non-streamed answers: mrkdwn in `text` + section blocks
 * renders the same in every client, its escaping rules are documented, and the 3000-char section limit is a
 * message size that reads well in a thread anyway. Either way nothing Docent sends can ping: every `<` that is
 * not one of our own links is escaped, so `<!channel>`, `<!here>`, `<@U…>` and `<!subteam^…>` from a
 * document or a model arrive as plain text; `@here`-style words are broken with a zero-width space as well.
 *
 * Nor can anything Docent sends link anywhere but to a cited record (see shared/untrusted-text.ts): the only
 * `<url|label>` links are the ones `slackLink` builds for the source list from a record's http(s) URL. Answer
 * and command text never becomes a link — a Markdown link stays text, bare URLs are defanged (Slack would
 * auto-link them), and `<` is always escaped.
 */

import { defuseLinks, escapeSlack, httpUrl } from '../shared/untrusted-text.js';

const ZWSP = '\u200b';
/** A private-use character standing for bold while converting; removed from the input first. */
const BOLD = '\ue002';

export { escapeSlack };

/** `@here`, `@channel`, `@everyone` as words: broken so no client, setting or future path turns them into pings. */
export function defuseWords(text: string): string {
  return text.replace(/@(here|channel|everyone)\b/gi, `@${ZWSP}$1`);
}

/**
 * A link target we are willing to write inside `<…|…>`: http(s) only; characters that would end the link or
 * its label early are percent-encoded and `&` is escaped as Slack expects inside control sequences.
 */
export function safeUrl(url: string | null | undefined): string | null {
  const ok = httpUrl(url);
  if (!ok) return null;
  return ok.replace(/[<>|"\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).replace(/&/g, '&amp;');
}

/**
 * A link label (a record title): escaped, one line, without the characters that would break `<url|label>`,
 * links defused (the label of the record's link must not carry a second address, nor be one when there is no
 * link and it stands alone).
 */
function linkLabel(text: string): string {
  return defuseWords(escapeSlack(defuseLinks(text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '/')))).trim();
}

/** `<url|label>`, or just the escaped label when the URL is not http(s). */
export function slackLink(url: string | null | undefined, label: string): string {
  const safe = safeUrl(url);
  const text = linkLabel(label);
  if (!safe) return text;
  return text ? `<${safe}|${text}>` : `<${safe}>`;
}

/**
 * Untrusted Markdown (answer text, echoed questions, command replies) → Slack mrkdwn: code stays code (escaped
 * only), `**b**`/`__b__` become `*b*`, `*i*` becomes `_i_`, `~~s~~` becomes `~s~`, headings become bold lines,
 * list bullets become `•`, and everything else is escaped. Links are not made: a Markdown link `[t](u)` has no
 * meaning in mrkdwn and stays text, with its URL defanged like every bare URL (`defuseLinks`). A `>` that
 * starts a line stays a quote marker (it cannot form a control sequence without a `<`, which is always escaped).
 */
export function toMrkdwn(markdown: string): string {
  const input = defuseLinks(markdown.replace(/\ue002/g, ''));
  // Fenced code blocks (an unclosed fence runs to the end, as while streaming).
  const parts = input.split(/(```[\s\S]*?(?:```|$))/);
  return parts.map((part, i) => (i % 2 === 1 ? codeBlock(part) : inlineText(part))).join('');
}

function codeBlock(fenced: string): string {
  const closed = fenced.length >= 6 && fenced.endsWith('```');
  let body = fenced.slice(3, closed ? -3 : undefined);
  // Slack shows an info string ("```python") as the first line of code; drop it.
  body = body.replace(/^[\w+-]*\n/, '\n');
  return `\`\`\`${escapeSlack(body)}${closed ? '```' : ''}`;
}

/** Everything outside fenced code: inline code spans are kept verbatim (escaped), the rest converted. */
function inlineText(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((piece, i) => (i % 2 === 1 ? escapeSlack(piece) : convertProse(piece)))
    .join('');
}

function convertProse(text: string): string {
  let s = defuseWords(escapeSlack(text));
  s = s.replace(/^([ \t]*)&gt;/gm, '$1>');
  return s
    .replace(/^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm, (_m, title: string) => `${BOLD}${title.replace(/\*\*|__/g, '')}${BOLD}`)
    .replace(/^([ \t]*)[-*+][ \t]+/gm, '$1• ')
    .replace(/\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*/g, `${BOLD}$1${BOLD}`)
    .replace(/(?<![\w_])__(?=\S)([^_\n]+?)(?<=\S)__(?![\w_])/g, `${BOLD}$1${BOLD}`)
    .replace(/(?<![*\w])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![*\w])/g, '_$1_')
    .replace(/~~(?=\S)([^~\n]+?)(?<=\S)~~/g, '~$1~')
    .replace(new RegExp(BOLD, 'g'), '*');
}

/**
 * Markdown for `markdown_text` (native streaming). Slack renders the Markdown itself; only `&` and `<` are
 * escaped (so no control sequence, and so no mention, can form) and `>` except as a line's quote marker.
 * Character-local and prefix-stable — the rendering of a prefix is a prefix of the rendering of the whole —
 * which native streaming relies on to append only the new part. Escaping applies inside code too: a client
 * that shows code verbatim may show `&lt;` there, which is the price of never letting `<!here>` through.
 *
 * Links are not this function's business, because defanging a URL needs to see past the scheme, which no
 * prefix-stable function can: the answer text reaching it has already been through `defuseLinks` in
 * stream-answer.ts (with `UntrustedStream`, which holds back a possible partial scheme until it is complete).
 */
export function toStreamMarkdown(markdown: string): string {
  const s = defuseWords(markdown.replace(/&/g, '&amp;').replace(/</g, '&lt;'));
  return s.replace(/>/g, (m, offset: number) => (isQuoteMarker(s, offset) ? m : '&gt;'));
}

/** A `>` preceded on its line only by spaces and other `>` (a blockquote marker, nested or not). */
function isQuoteMarker(s: string, at: number): boolean {
  for (let i = at - 1; i >= 0; i--) {
    const c = s[i];
    if (c === '\n') return true;
    if (c !== ' ' && c !== '\t' && c !== '>') return false;
  }
  return true;
}

/**
 * Slack message text → plain text for conversation history: links become their label (or URL), user and
 * special mentions disappear, escapes are undone.
 */
export function fromMrkdwn(text: string): string {
  return text
    .replace(/<(?:@|!|#)[^<>]*>/g, '')
    .replace(/<([^<>|]+)\|([^<>]*)>/g, '$2')
    .replace(/<([^<>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\u200b/g, '')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/** Removes the bot's own mention (`<@U…>` or `<@U…|name>`) from a message before it becomes a question. */
export function stripBotMention(text: string, botUserId: string | undefined): string {
  if (!botUserId) return text.trim();
  return text.replace(new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, 'g'), ' ').replace(/[ \t]{2,}/g, ' ').trim();
}
