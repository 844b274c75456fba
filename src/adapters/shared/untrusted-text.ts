/**
 * Untrusted text on every surface. Titles and excerpts come from documents anyone could have written, questions
 * from whoever asks, answer text from a model that may copy a planted link. The rule (issue 14): the only
 * clickable links in a Docent message are the numbered citation links the adapters build from a record's own
 * http(s) URL. Everything else is shown as text, on Discord, Slack, the terminal and the status page (which
 * HTML-escapes every string, so nothing there is a link either).
 *
 * What it takes to turn a link back into text, per syntax:
 * - Markdown links `[label](url)`, `![alt](url)` and definitions `[label]: url`: the `](` / `]:` pair is broken
 *   with a zero-width space (no Markdown parser accepts anything between them; it sits between brackets, never
 *   inside a URL), and Discord gets backslash escapes on top (`\[label\]`, as discord.js `escapeMaskedLink`).
 * - Autolinks `<scheme:/…>`: Slack escapes every `<` anyway (`&lt;`, formatting reference, "Escaping text":
 *   https://api.slack.com/reference/surfaces/formatting#escaping); Discord gets `\<`.
 * - Bare URLs: every surface linkifies `http(s)://…` by itself — Discord's client matches
 *   `(?:https?|steam):\/\/[^\s<]+` (quoted in https://github.com/discordjs/discord.js/issues/9852), Slack
 *   auto-converts URLs in mrkdwn unless `verbatim` is set (Block Kit text object reference,
 *   https://docs.slack.dev/reference/block-kit/composition-objects/text-object), terminals make them
 *   ctrl-clickable. Wrapping a URL in `<…>` is no answer: on Discord it only suppresses the embed and the link
 *   stays clickable (that is all discord.js `hideLinkEmbed` does; same issue), and on Slack `<url>` *is* the
 *   link syntax. So the scheme is broken instead, the way security write-ups defang indicators: `http://` →
 *   `hxxp://`, `https://` → `hxxps://`, any other `scheme://` → `scheme[:]//`, `www.` → `www[.]`. The reader
 *   still sees (and can retype) the address; no client can follow it. Not with a zero-width character inside
 *   the URL: an invisible break is a trap for whoever copies it, a visible one is honest.
 * Bold, italics, code and lists are left alone: they cannot navigate anywhere.
 */

const ZWSP = '\u200b';

/** `scheme://` anywhere (no word boundary: Discord links the `http://` in `5http://x` too). */
const URL_SCHEME = /([a-z][a-z0-9+.-]{0,31}):\/\//gi;
const WWW = /\bwww\./gi;

/** Bare URLs made unfollowable but readable (idempotent: `hxxp://` and `x[:]//` are left as they are). */
export function defangUrls(text: string): string {
  return text
    .replace(URL_SCHEME, (whole, scheme: string) => {
      const s = scheme.toLowerCase();
      if (s === 'http' || s === 'https') return `${scheme[0]}xx${scheme.slice(3)}://`;
      if (s === 'hxxp' || s === 'hxxps') return whole;
      return `${scheme}[:]//`;
    })
    .replace(WWW, (m) => `${m.slice(0, 3)}[.]`);
}

/** Markdown link syntax no parser will accept: `](` and a line-start `[label]:` get a zero-width space inside. */
export function breakLinkSyntax(text: string): string {
  return text.replace(/\](?=\()/g, `]${ZWSP}`).replace(/^( {0,3}\[[^\]\n]*\])(?=:)/gm, `$1${ZWSP}`);
}

/** Both of the above: untrusted Markdown that keeps its formatting but can hold no link. */
export function defuseLinks(text: string): string {
  return breakLinkSyntax(defangUrls(text));
}

/**
 * A record URL we are willing to make a link of: http or https, with a host. Anything else (javascript:,
 * data:, file:, a relative path) is not linked; callers show the title alone, or the path.
 */
export function httpUrl(url: string | null | undefined): string | null {
  const u = url?.trim();
  if (!u || !/^https?:\/\/[^\s/?#]/i.test(u)) return null;
  try {
    const parsed = new URL(u);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}

/**
 * Applies `fn` to the prose of Markdown text, leaving fenced blocks (an unclosed fence runs to the end, as while
 * streaming) and inline code spans as they are.
 */
export function mapOutsideCode(text: string, fn: (prose: string) => string): string {
  return text
    .split(/(```[\s\S]*?(?:```|$))/)
    .map((part, i) => (i % 2 === 1 ? part : part.split(/(`[^`\n]+`)/).map((p, j) => (j % 2 === 1 ? p : fn(p))).join('')))
    .join('');
}

// ── Discord ───────────────────────────────────────────────────────────────────────────────────────────────

/** A citation marker the pipeline checked (`[2]`, `[1, 3]`); not followed by `(`, else it would be a masked link. */
const CITATION = /^\[\d{1,3}(?:\s*,\s*\d{1,3})*\](?!\()/;

/**
 * Untrusted Markdown (answer text, command replies naming sources) for a Discord message: formatting stays,
 * links do not. Outside code every bracket except a citation marker is backslash-escaped and a `<scheme:/`
 * autolink opener becomes `\<`; everywhere, URLs are defanged and `](` is broken (code cannot be escaped in
 * Discord — backslashes show literally there — but a defanged URL is not a link in code or out of it).
 */
export function discordSafeMarkdown(markdown: string): string {
  const escaped = mapOutsideCode(markdown, (prose) => {
    let out = '';
    let backslashes = 0;
    for (let i = 0; i < prose.length; i++) {
      const c = prose[i]!;
      // A character after an odd run of backslashes is escaped already and stays as it is.
      const escapedAlready = backslashes % 2 === 1;
      backslashes = c === '\\' ? backslashes + 1 : 0;
      if (escapedAlready) {
        out += c;
        continue;
      }
      const marker = c === '[' ? CITATION.exec(prose.slice(i, i + 40)) : null;
      if (marker) {
        out += marker[0];
        i += marker[0].length - 1;
      } else if (c === '[' || c === ']') out += `\\${c}`;
      else if (c === '<' && /^<[^\s:<>]+:\//.test(prose.slice(i, i + 40))) out += '\\<';
      else out += c;
    }
    return out;
  });
  return defuseLinks(escaped);
}

// ── Slack ─────────────────────────────────────────────────────────────────────────────────────────────────

/** Slack's three escapes (formatting reference, "Escaping text"): `<` and `&` start control sequences. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A title, question or source name as Slack mrkdwn text: escaped, defanged, never a link or control sequence. */
export function slackPlainText(text: string): string {
  return escapeSlack(defuseLinks(text));
}

// ── Terminal ──────────────────────────────────────────────────────────────────────────────────────────────

/**
 * C0 controls but tab and newline, DEL and C1 controls. ESC is the dangerous one: `ESC ] 8 ;; url ESC \` is an
 * OSC 8 hyperlink whose target the reader never sees; CR can overwrite a line already printed.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Text without terminal control characters (a citation URL built by code still needs this much). */
export function stripControls(text: string): string {
  return text.replace(CONTROL, '');
}

/** Untrusted text for a terminal: no control sequences, URLs defanged. Markdown is shown as typed. */
export function terminalText(text: string): string {
  return defangUrls(stripControls(text));
}

// ── Streaming ─────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A partial scheme or `www` at the end of the text so far: it may still turn into something to defang, so it
 * waits for the next delta. Short by construction (a word at most), so the stream never lags visibly.
 */
const HOLD = /(?:[a-z0-9+.-]{0,32}:\/?|h(?:t(?:t(?:ps?)?)?)?|w{1,3})$/i;

/**
 * Applies a line-local transform (one whose result on a text is the concatenation of its results on the text's
 * lines, as all of the above are) to text arriving in deltas, for surfaces that append and cannot take text
 * back: Slack native streams, a terminal. What it returns, concatenated, equals `transform(whole)`; the tail
 * of the current line that could still change waits for the next delta or `flush()`.
 */
export class UntrustedStream {
  /** Raw text of the current line (everything before it is settled and shown). */
  private line = '';
  /** How much of `transform(line)` has been returned already. */
  private shown = 0;

  constructor(private readonly transform: (text: string) => string) {}

  push(delta: string): string {
    let out = '';
    const text = this.line + delta;
    const nl = text.lastIndexOf('\n');
    if (nl >= 0) {
      out += this.transform(text.slice(0, nl + 1)).slice(this.shown);
      this.line = text.slice(nl + 1);
      this.shown = 0;
    } else {
      this.line = text;
    }
    const hold = HOLD.exec(this.line)?.[0].length ?? 0;
    const settled = this.transform(this.line.slice(0, this.line.length - hold));
    // A settled prefix's rendering is a prefix of the line's final rendering; only ever append.
    if (settled.length > this.shown) {
      out += settled.slice(this.shown);
      this.shown = settled.length;
    }
    return out;
  }

  /** The end of the text: whatever was held back, transformed. */
  flush(): string {
    const out = this.transform(this.line).slice(this.shown);
    this.line = '';
    this.shown = 0;
    return out;
  }
}
