/**
 * The readable content of a whole HTML page: the main content without navigation, banners, sidebars or
 * footers, as Markdown-flavoured text (see html-markdown.ts). Fragments (DCAT descriptions) go through
 * `htmlToPlainText` in html-text.ts instead: they have no page furniture to remove.
 */
import { parseDocument } from 'htmlparser2';
import type { Element } from 'domhandler';
import { contentRoots, linkListsOutsideContent, isFurniture, isNonContent } from './html-boilerplate.js';
import { renderMarkdown } from './html-markdown.js';

const HAS_WORD = /[\p{L}\p{N}]/u;
const cleaned = (el: Element): boolean => isNonContent(el) || isFurniture(el);

/**
 * Main content of a page, or '' when the page has no text at all. The first content root (main, a lone
 * article, body) that still has words once furniture is removed wins; a page that is nothing but furniture
 * (a site map, a bare table of contents) keeps all its text rather than vanishing from the index.
 */
export function htmlPageText(html: string): string {
  const doc = parseDocument(html);
  for (const root of contentRoots(doc)) {
    let skip = cleaned;
    if (root.type !== 'tag' || root.name === 'body') {
      // No landmark says where the content is: also trim the link lists around it.
      const edges = linkListsOutsideContent(root, cleaned);
      if (edges.size) skip = (el) => edges.has(el) || cleaned(el);
    }
    const text = renderMarkdown(root, skip);
    if (HAS_WORD.test(text)) return text;
  }
  const all = renderMarkdown(doc, isNonContent);
  return HAS_WORD.test(all) ? all : '';
}
