/**
 * Which parts of an HTML page are page furniture (navigation, banners, sidebars, footers) rather than content,
 * and where the content starts. Structure first: HTML5 sectioning elements and ARIA landmark roles say what a
 * block is on any generator that emits them. A short list of well-known class names covers the generators that
 * predate them (DocBook, old Sphinx, Javadoc 8). Nothing here matches page text, so it works in any language.
 */
import { type AnyNode, type Document, type Element, isTag, isText } from 'domhandler';

/**
 * Never content: code, styling, embedded objects, inline SVG icons and form controls. Not <form> itself: some
 * frameworks (ASP.NET Web Forms) wrap the whole page in one.
 */
const NON_CONTENT_TAGS = new Set([
  'script', 'style', 'noscript', 'template', 'head', 'title', 'meta', 'link', 'base',
  'iframe', 'object', 'embed', 'canvas', 'svg', 'button', 'input', 'select', 'textarea', 'dialog',
]);

/**
 * Navigation by element: <nav> is never the page's subject. <aside> is furniture at page level (a sidebar
 * beside the content) but content inside it: docutils writes footnotes (aside.footnote), topic boxes
 * ("Abstract") and boxed notes (aside.sidebar) as <aside> within the main text — 79 of the 498 Python 3.11 pages.
 */
const FURNITURE_TAGS = new Set(['nav']);

/** ARIA landmark roles that mark furniture (explicit roles, or what <header>/<footer> imply at page level). */
const FURNITURE_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'search', 'menubar', 'toolbar']);

/**
 * Well-known class / id names of navigation blocks, for generators without landmark markup. Matched as whole
 * tokens, case-insensitively, so "toc" does not match "tocsin". One list on purpose: add a generator here.
 * - DocBook XSL (the PostgreSQL manual): navheader / navfooter tables with Prev / Up / Home / Next; the
 *   chapter tables of contents (toc, list-of-*), which repeat the headings of other pages.
 * - Sphinx (Python docs): related (top and bottom Prev / Next bar), sphinxsidebar ("Table of Contents",
 *   "Previous topic", "This Page", "Quick search"), footer, headerlink (the ¶ after every heading).
 * - MkDocs / Material: md-header, md-sidebar, md-footer, md-tabs, md-source (mostly <header>/<nav> too).
 * - Javadoc 8: topNav, bottomNav, subNav, skipNav (Javadoc 9+ uses <header>/<nav> and <main>).
 * - Sites in general: breadcrumbs, skip links, pagination, "edit this page", cookie banners.
 * Deliberately absent: "header" (Javadoc's div.header holds the class name and title) and "sidebar" (DocBook
 * and docutils use it for a boxed passage of the text).
 */
const FURNITURE_CLASS_TOKENS = new Set(
  [
    'navheader', 'navfooter', 'toc', 'list-of-tables', 'list-of-figures', 'list-of-examples',
    'related', 'sphinxsidebar', 'footer', 'headerlink',
    'md-header', 'md-sidebar', 'md-footer', 'md-tabs', 'md-source', 'md-search',
    'topnav', 'bottomnav', 'subnav', 'skipnav', 'navbar',
    'breadcrumb', 'breadcrumbs', 'skip-link', 'skip-to-content', 'pagination', 'edit-page', 'cookie-banner',
  ].map((t) => t.toLowerCase()),
);

/** Sectioning content and roots: a <header>/<footer> inside one belongs to it (an article's title, a note's footer). */
const SECTIONING = new Set(['article', 'aside', 'main', 'nav', 'section']);
const SECTIONING_ROLES = new Set(['article', 'complementary', 'main', 'navigation', 'region']);

function attr(el: Element, name: string): string {
  return (el.attribs[name] ?? '').trim().toLowerCase();
}

function tokens(value: string | undefined): string[] {
  return value ? value.toLowerCase().split(/\s+/).filter(Boolean) : [];
}

function isHidden(el: Element): boolean {
  if (el.attribs['hidden'] !== undefined || attr(el, 'aria-hidden') === 'true') return true;
  return /display\s*:\s*none|visibility\s*:\s*hidden/i.test(el.attribs['style'] ?? '');
}

/** True when `el` is inside sectioning content, so a <header>/<footer> there is the section's, not the page's. */
function inSection(el: Element): boolean {
  for (let p = el.parent; p && isTag(p as AnyNode); p = (p as Element).parent) {
    const e = p as Element;
    if (SECTIONING.has(e.name) || SECTIONING_ROLES.has(attr(e, 'role'))) return true;
  }
  return false;
}

/** True when `el` sits inside the page's main content (<main>, role=main, or an <article>). */
function inMainContent(el: Element): boolean {
  for (let p = el.parent; p && isTag(p as AnyNode); p = (p as Element).parent) {
    const e = p as Element;
    if (e.name === 'main' || e.name === 'article' || attr(e, 'role') === 'main') return true;
  }
  return false;
}

/** Elements that never carry readable content, whatever the cleaning tier. */
export function isNonContent(el: Element): boolean {
  return NON_CONTENT_TAGS.has(el.name) || isHidden(el);
}

/** Page furniture: navigation, banners, sidebars and page footers, by element, role or well-known class. */
export function isFurniture(el: Element): boolean {
  if (FURNITURE_TAGS.has(el.name)) return true;
  if (el.name === 'aside' && !inMainContent(el)) return true;
  if (FURNITURE_ROLES.has(attr(el, 'role'))) return true;
  if ((el.name === 'header' || el.name === 'footer') && !inSection(el)) return true;
  for (const t of tokens(el.attribs['class'])) if (FURNITURE_CLASS_TOKENS.has(t)) return true;
  const id = attr(el, 'id');
  return id !== '' && FURNITURE_CLASS_TOKENS.has(id);
}

function findAll(nodes: AnyNode[], test: (el: Element) => boolean, skip: (el: Element) => boolean, out: Element[] = []): Element[] {
  for (const n of nodes) {
    if (!isTag(n) || skip(n)) continue;
    if (test(n)) out.push(n);
    findAll(n.children, test, skip, out);
  }
  return out;
}

function hasAncestor(el: Element, name: string): boolean {
  for (let p = el.parent; p && isTag(p as AnyNode); p = (p as Element).parent) if ((p as Element).name === name) return true;
  return false;
}

/** True when an element has any non-blank text that the cleaner would keep. */
export function hasText(el: Element, skip: (el: Element) => boolean): boolean {
  for (const n of el.children) {
    if (isText(n) && /\S/.test(n.data)) return true;
    if (isTag(n) && !skip(n) && hasText(n, skip)) return true;
  }
  return false;
}

/**
 * Candidate content roots, best first: the page's <main> or role=main; else a lone <article> (several
 * articles are a listing, whose container is the content); then <body>; then the document itself.
 */
export function contentRoots(doc: Document): AnyNode[] {
  const roots: AnyNode[] = [];
  const main = findAll(doc.children, (el) => el.name === 'main' || attr(el, 'role') === 'main', isNonContent)[0];
  if (main) roots.push(main);
  // Outermost articles only: comments or quoted posts nested in an article belong to it.
  const topArticles = findAll(doc.children, (el) => el.name === 'article', isNonContent).filter((a) => !hasAncestor(a, 'article'));
  if (!main && topArticles.length === 1) roots.push(topArticles[0]!);
  const body = findAll(doc.children, (el) => el.name === 'body', () => false)[0];
  if (body) roots.push(body);
  roots.push(doc);
  return roots;
}

/** Characters of kept text under `node`, and how many of them sit inside links; counts links too. */
function linkStats(node: AnyNode, skip: (el: Element) => boolean, inLink = false, acc = { text: 0, linked: 0, links: 0 }) {
  if (isText(node)) {
    const n = node.data.replace(/\s+/g, '').length;
    acc.text += n;
    if (inLink) acc.linked += n;
  } else if (isTag(node) && !skip(node)) {
    const link = node.name === 'a' && node.attribs['href'] !== undefined;
    if (link) acc.links++;
    for (const c of node.children) linkStats(c, skip, inLink || link, acc);
  }
  return acc;
}

/**
 * A bare list of links: at least three, link text at least 80 % of the text, no headings or code. Site
 * menus, breadcrumb trails and "related pages" boxes look like this whatever their markup.
 */
function isLinkList(el: Element, skip: (el: Element) => boolean): boolean {
  if (/^(h[1-6]|pre)$/.test(el.name)) return false;
  const s = linkStats(el, skip);
  return s.links >= 3 && s.linked >= 0.8 * s.text && !hasHeadingOrCode(el, skip);
}

function hasHeadingOrCode(el: Element, skip: (el: Element) => boolean): boolean {
  return el.children.some((c) => isTag(c) && !skip(c) && (/^(h[1-6]|pre)$/.test(c.name) || hasHeadingOrCode(c, skip)));
}

/** Headings, paragraphs and code blocks that have text: where a page's prose is. */
function collectAnchors(node: AnyNode, skip: (el: Element) => boolean, out: Element[] = []): Element[] {
  if (!('children' in node)) return out;
  for (const c of node.children) {
    if (!isTag(c) || skip(c)) continue;
    if (/^(h[1-6]|p|pre)$/.test(c.name)) {
      if (hasText(c, skip) && !(c.name === 'p' && isLinkList(c, skip))) out.push(c);
    } else {
      collectAnchors(c, skip, out);
    }
  }
  return out;
}

function ancestry(el: AnyNode, root: AnyNode): AnyNode[] {
  const path: AnyNode[] = [];
  for (let n: AnyNode | null = el; n && n !== root; n = n.parent) path.unshift(n);
  return [root, ...path];
}

/**
 * For a page without landmarks, the largest content block: the smallest element that holds all of the page's
 * headings and paragraphs. Link lists outside it (a menu beside it, a footer of links under it) are left out;
 * everything inside it is kept, so a list of links that is part of the text ("see also", a bibliography)
 * stays. Returns the elements to leave out.
 */
export function linkListsOutsideContent(root: AnyNode, skip: (el: Element) => boolean): Set<Element> {
  const drop = new Set<Element>();
  const anchors = collectAnchors(root, skip);
  if (!anchors.length) return drop;
  let common = ancestry(anchors[0]!, root);
  for (const a of anchors.slice(1)) {
    const path = ancestry(a, root);
    let k = 0;
    while (k < common.length && k < path.length && common[k] === path[k]) k++;
    common = common.slice(0, k);
  }
  // Walk up from the content block: its siblings at every level are outside it.
  for (let k = common.length - 1; k > 0; k--) {
    const parent = common[k - 1]!;
    if (!('children' in parent)) continue;
    for (const sib of parent.children) {
      if (sib !== common[k] && isTag(sib) && !skip(sib) && isLinkList(sib, skip)) drop.add(sib);
    }
  }
  return drop;
}
