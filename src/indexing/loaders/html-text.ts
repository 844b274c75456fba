/**
 * One html-to-text configuration for every place HTML turns into indexable text (HTML pages, DCAT
 * descriptions): no link targets in brackets, no images, headings kept as their own lines in their own case,
 * no hard wrapping (the chunker decides where text breaks).
 */
import { compile, type HtmlToTextOptions } from 'html-to-text';
import { tidyText } from './document.js';

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];

const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    ...HEADINGS.map((h) => ({ selector: h, options: { uppercase: false } })),
  ],
};

// Compiled once: `convert(html, options)` rebuilds its selector tables on every call, which was a third of
// the time spent loading a DCAT feed (one call per dataset description).
const toText = compile(OPTIONS);
const toInlineText = compile({ wordwrap: false, selectors: [{ selector: 'a', options: { ignoreHref: true } }, { selector: 'img', format: 'skip' }] });

/** Plain text of an HTML document or fragment; entities decoded, script/style dropped, whitespace tidied. */
export function htmlToPlainText(html: string): string {
  return tidyText(toText(html));
}

/** Inline text of a small HTML fragment (a <title> or <h1>), on one line. */
function fragmentText(fragment: string): string {
  return toInlineText(fragment).replace(/\s+/g, ' ').trim();
}

/** The page title: <title> when it has text, else the first <h1>, else null. Plain text (see `plainTitle`). */
export function htmlTitle(html: string): string | null {
  for (const re of [/<title[^>]*>([\s\S]*?)<\/title\s*>/i, /<h1[^>]*>([\s\S]*?)<\/h1\s*>/i]) {
    const m = re.exec(html);
    // <title> holds raw text (entities only); run it through the converter to decode them.
    const text = m ? plainTitle(fragmentText(`<p>${m[1]}</p>`)) : '';
    if (text) return text;
  }
  return null;
}

/** Markdown inline links and images, `[label](target)` / `![alt](target)`, with one level of nested brackets. */
const MD_LINK = /!?\[((?:[^[\]]|\[[^[\]]*\])*)\]\((?:<[^<>]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
/** Reference links `[label][ref]` and collapsed `[label][]`. */
const MD_REF_LINK = /!?\[([^[\]]*)\]\[[^[\]]*\]/g;
/** Autolinks `<scheme:…>`. */
const AUTOLINK = /<([a-z][a-z0-9+.-]*:[^<>\s]*)>/gi;
/**
 * URLs of schemes that run code or read local data when followed; nothing a title should carry. `data:` and
 * `file:` only in URL shape (`data:text/html,…`, `file:///…`), so "Data: annual report" or a wiki-style
 * "File:Map.pdf" title keeps its words.
 */
const SCRIPT_URL = /\b(?:(?:javascript|vbscript|livescript):\S+|data:(?:[\w.+-]+\/[\w.+-]+)?[;,]\S*|file:\/\S*)/gi;

/**
 * A title (or heading) as plain text. Page authors — or whoever planted the page — control <title> and
 * headings, and a title travels everywhere: source lists, not-found replies, the prompt. So link syntax does
 * not survive into it: a Markdown link or image keeps its label, an http(s) autolink becomes its bare URL and
 * any other autolink is dropped, and a javascript:/vbscript:/data:/file: URL is removed. The adapters escape titles anyway;
 * this keeps the stored catalog clean and the prompt free of planted links.
 */
export function plainTitle(text: string): string {
  let out = text;
  // Nested links ("[[a](x)](y)") unwrap one level per pass.
  for (let i = 0; i < 3; i++) {
    const next = out.replace(MD_LINK, '$1').replace(MD_REF_LINK, '$1');
    if (next === out) break;
    out = next;
  }
  return out
    .replace(AUTOLINK, (_m, url: string) => (/^https?:/i.test(url) ? url : ''))
    .replace(SCRIPT_URL, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
const ENTITY_SOURCE = '&(amp|lt|gt|quot|apos|nbsp|#\\d{1,7}|#x[0-9a-f]{1,6});';
const HAS_ENTITY = new RegExp(ENTITY_SOURCE, 'i');
const ENTITIES = new RegExp(ENTITY_SOURCE, 'gi');

const codePoint = (n: number): string => (n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '\uFFFD');

function decodeEntity(match: string, name: string): string {
  const lower = name.toLowerCase();
  if (lower.startsWith('#x')) return codePoint(Number.parseInt(lower.slice(2), 16));
  if (lower.startsWith('#')) return codePoint(Number(lower.slice(1)));
  return NAMED[lower] ?? match;
}

/**
 * Decodes entities that survived one HTML pass. Catalog pipelines escape descriptions more than once
 * (the USFS feed has "&amp;lt;" and even "&amp;amp;amp;"), so after html-to-text the text still reads "&lt;".
 * Only for catalog text: a web page that shows "&lt;" on purpose keeps it.
 */
export function decodeLeftoverEntities(text: string): string {
  let out = text;
  for (let i = 0; i < 3 && HAS_ENTITY.test(out); i++) out = out.replace(ENTITIES, decodeEntity);
  return out;
}
