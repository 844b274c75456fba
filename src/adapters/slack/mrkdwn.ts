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
 */

const ZWSP = '\u200b';
/** Private-use characters used as placeholders while converting; removed from input first. */
const TOKEN_OPEN = '\ue000';
const TOKEN_CLOSE = '\ue001';
const BOLD = '\ue002';

/** Slack's three escapes, for text outside control sequences. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `@here`, `@channel`, `@everyone` as words: broken so no client, setting or future path turns them into pings. */
export function defuseWords(text: string): string {
  return text.replace(/@(here|channel|everyone)\b/gi, `@${ZWSP}$1`);
}

/**
 * A link target we are willing to write inside `<…|…>`: http(s) only; characters that would end the link or
 * its label early are percent-encoded and `&` is escaped as Slack expects inside control sequences.
 */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url || !/^https?:\/\/\S/i.test(url.trim())) return null;
  return url.trim().replace(/[<>|"\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).replace(/&/g, '&amp;');
}

/** A link label: escaped, one line, without the characters that would break `<url|label>`. */
function linkLabel(text: string): string {
  return defuseWords(escapeSlack(text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '/'))).trim();
}

/** `<url|label>`, or just the escaped label when the URL is not http(s). */
export function slackLink(url: string | null | undefined, label: string): string {
  const safe = safeUrl(url);
  const text = linkLabel(label);
  if (!safe) return text;
  return text ? `<${safe}|${text}>` : `<${safe}>`;
}

/**
 * Markdown → Slack mrkdwn: code stays code (escaped only), links become `<url|text>`, `**b**`/`__b__` become
 * `*b*`, `*i*` becomes `_i_`, `~~s~~` becomes `~s~`, headings become bold lines, list bullets become `•`,
 * and everything else is escaped. A `>` that starts a line stays a quote marker (it cannot form a control
 * sequence without a `<`, which is always escaped).
 */
export function toMrkdwn(markdown: string): string {
  const input = markdown.replace(/[\ue000-\ue002]/g, '');
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
  const links: string[] = [];
  const keep = (rendered: string) => `${TOKEN_OPEN}${links.push(rendered) - 1}${TOKEN_CLOSE}`;
  let s = text
    // [text](url), [text](<url>), ![alt](url): our own links, made before escaping so they survive it.
    .replace(/!?\[((?:\\.|[^[\]\\\n]){0,500})\]\((?:<([^<>\n]{1,1500})>|([^()\s]{1,1500}))\)/g, (_m, label: string, a?: string, b?: string) =>
      keep(slackLink(a ?? b, unescapeMarkdown(label)) || escapeSlack(label)),
    )
    // <https://…> autolinks.
    .replace(/<(https?:\/\/[^<>\s]{1,1500})>/g, (_m, url: string) => keep(slackLink(url, '') || escapeSlack(url)));
  s = defuseWords(escapeSlack(s));
  s = s.replace(/^([ \t]*)&gt;/gm, '$1>');
  s = s
    .replace(/^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm, (_m, title: string) => `${BOLD}${title.replace(/\*\*|__/g, '')}${BOLD}`)
    .replace(/^([ \t]*)[-*+][ \t]+/gm, '$1• ')
    .replace(/\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*/g, `${BOLD}$1${BOLD}`)
    .replace(/(?<![\w_])__(?=\S)([^_\n]+?)(?<=\S)__(?![\w_])/g, `${BOLD}$1${BOLD}`)
    .replace(/(?<![*\w])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![*\w])/g, '_$1_')
    .replace(/~~(?=\S)([^~\n]+?)(?<=\S)~~/g, '~$1~')
    .replace(new RegExp(BOLD, 'g'), '*');
  return s.replace(new RegExp(`${TOKEN_OPEN}(\\d+)${TOKEN_CLOSE}`, 'g'), (_m, n: string) => links[Number(n)] ?? '');
}

/** `\[` → `[` and friends: link labels written with Markdown escapes. */
function unescapeMarkdown(text: string): string {
  return text.replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, '$1');
}

/**
 * Markdown for `markdown_text` (native streaming). Slack renders the Markdown itself; only `&` and `<` are
 * escaped (so no control sequence, and so no mention, can form) and `>` except as a line's quote marker.
 * Character-local and prefix-stable — the rendering of a prefix is a prefix of the rendering of the whole —
 * which native streaming relies on to append only the new part. Escaping applies inside code too: a client
 * that shows code verbatim may show `&lt;` there, which is the price of never letting `<!here>` through.
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
