import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';
import type { Citation } from './wire.js';
import { citationHref, externalLink } from './links.js';

/**
 * Answer text → DOM. The text is untrusted: a model writes it, and may copy whatever a document planted. The
 * rule every Docent surface follows (src/adapters/shared/untrusted-text.ts, issue 14): formatting stays, and the
 * only clickable links are the numbered citations built from the record's own http(s) URL. So:
 *
 * - markdown-it (CommonMark, well kept, no dependencies worth the name) with `html: false` (a `<script>` in the
 *   text is shown as text), linkify off, and its link, image, autolink and reference rules switched off: a
 *   `[x](javascript:…)` or `[x](https://phish…)` in an answer is shown as typed, never followed. `validateLink`
 *   still admits only http(s), mailto and relative URLs, should a rule that makes links ever be turned on.
 * - DOMPurify on markdown-it's output as the second guard: a short allow-list of the tags and attributes the
 *   Markdown subset produces; anything else (event handlers, `style`, `<a>` with another scheme) is dropped.
 * - Citation markers `[1]`, `[1, 3]` in prose (not in code) become links by DOM calls, after sanitising, with
 *   hrefs from `finish.info.citations` (links.ts checks them). While the answer streams they are plain text.
 */

const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
md.disable(['link', 'image', 'autolink', 'reference', 'linkify', 'html_inline', 'html_block'], true);
md.validateLink = (url: string): boolean => {
  // Browsers ignore control characters and spaces in a scheme (`java\tscript:`), so the check does too.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.replace(/[\u0000-\u0020\u007f]/g, ''));
  return !scheme || ['http', 'https', 'mailto'].includes(scheme[1]!.toLowerCase());
};

const ALLOWED_TAGS = ['p', 'br', 'strong', 'em', 'code', 'pre', 'ul', 'ol', 'li', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 's', 'del', 'a'];
const PURIFY: Parameters<typeof DOMPurify.sanitize>[1] = {
  ALLOWED_TAGS, ALLOWED_ATTR: ['href', 'start', 'title'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
  RETURN_DOM_FRAGMENT: true,
};

// Any link that survives sanitising opens in a new tab without handing the page (or its address) over.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName === 'A') externalLink(node as HTMLAnchorElement);
});

/** Markdown → a sanitised fragment (no citation links yet). */
export function markdownFragment(text: string): DocumentFragment {
  return DOMPurify.sanitize(md.render(text), PURIFY) as unknown as DocumentFragment;
}

const MARKER = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\](?!\()/g;

/**
 * Replaces `target`'s content with the rendered answer; with `citations` (the answer is finished), each marker
 * number becomes a link to its source. Markers inside code stay text.
 */
export function renderAnswer(target: HTMLElement, text: string, cited?: { citations: readonly Citation[]; prefix: string }): void {
  const fragment = markdownFragment(text);
  if (cited?.citations.length) linkMarkers(fragment, new Map(cited.citations.map((c) => [c.n, c])), cited.prefix);
  target.replaceChildren(fragment);
}

function linkMarkers(root: DocumentFragment, byNumber: ReadonlyMap<number, Citation>, prefix: string): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => (n.parentElement?.closest('code, pre, a') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n as Text);
  for (const node of texts) {
    const value = node.data;
    MARKER.lastIndex = 0;
    if (!MARKER.test(value)) continue;
    MARKER.lastIndex = 0;
    const out = document.createDocumentFragment();
    let last = 0;
    for (let m = MARKER.exec(value); m; m = MARKER.exec(value)) {
      out.append(value.slice(last, m.index), '[');
      m[1]!.split(',').forEach((raw, i) => {
        if (i > 0) out.append(', ');
        const n = Number(raw.trim());
        const c = byNumber.get(n);
        out.append(c ? citationLink(c, prefix) : String(n));
      });
      out.append(']');
      last = m.index + m[0].length;
    }
    out.append(value.slice(last));
    node.replaceWith(out);
  }
}

function citationLink(c: Citation, prefix: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.className = 'cite';
  a.textContent = String(c.n);
  a.title = c.page !== null ? `${c.title}, page ${c.page}` : c.title;
  const href = citationHref(c);
  if (href) {
    a.href = href;
    externalLink(a);
  } else {
    // No web address (a local file): point at its line in the source list under the answer.
    a.setAttribute('href', `#${sourceAnchor(prefix, c.n)}`);
  }
  return a;
}

/** The id of source `n` in the list under answer `prefix` (answers are numbered, so ids stay unique). */
export function sourceAnchor(prefix: string, n: number): string {
  return `${prefix}-source-${n}`;
}
