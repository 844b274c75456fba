/**
 * Renders an HTML subtree as Markdown-flavoured plain text, the shape the chunker already splits by heading:
 * headings become "#" lines (so every chunk gets its heading path), <pre> blocks keep their lines inside a
 * ``` fence (so a "# comment" in a shell example is not taken for a heading), table rows read as
 * "cell | cell" lines, list items start with "- " or "1. ". Inline markup (links, emphasis, code) becomes its
 * text; images are dropped. Whitespace follows HTML: runs collapse to one space, blocks start new lines.
 */
import { type AnyNode, type Element, isCDATA, isTag, isText } from 'domhandler';
import { plainTitle } from './html-text.js';

/** Blocks that stand apart as paragraphs (a blank line before and after). */
const PARAGRAPH_BLOCKS = new Set([
  'p', 'blockquote', 'table', 'ul', 'ol', 'dl', 'hr', 'figure', 'section', 'article', 'main', 'header', 'footer',
  'address', 'details', 'aside', 'nav', 'center', 'hgroup', 'fieldset', 'body', 'html',
]);
/** Blocks that start a new line but not a new paragraph. */
const LINE_BLOCKS = new Set(['div', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'caption', 'figcaption', 'summary', 'legend', 'tbody', 'thead', 'tfoot', 'option', 'dir', 'menu']);
const HEADING = /^h([1-6])$/;
const PREFORMATTED = new Set(['pre', 'listing', 'xmp', 'plaintext']);
/** Inside a table cell, these make the row a block of its own rather than one "a | b" line. */
const CELL_STRUCTURE = new Set(['pre', 'listing', 'xmp', 'ul', 'ol', 'dl', 'table', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/**
 * Call-out boxes (DocBook note / tip / warning, Sphinx and MkDocs admonitions, role=note): their "Tip" or
 * "Warning" title is a label, not a section, so it must not replace the section in the chunk's heading path.
 */
const CALLOUT_CLASSES = new Set(['note', 'tip', 'warning', 'caution', 'important', 'admonition', 'hint', 'attention', 'danger', 'callout']);
/** A text line the chunker would read as a heading or a code fence; escaped when it is ordinary text. */
const MARKDOWN_SIGNIFICANT = /^(#{1,6}(\s|$)|```|~~~)/;

/** Accumulates output with HTML whitespace rules: collapsed spaces inside a line, owed line breaks between blocks. */
class TextWriter {
  private readonly parts: string[] = [];
  /** Newlines owed before the next text (1 = new line, 2 = new paragraph). */
  private owed = 0;
  private lineOpen = false;
  private spaceOwed = false;
  /** A list marker to write before the next text. */
  prefix = '';

  /** `flat`: every break is a space (table cells, heading text). */
  constructor(readonly flat = false) {}

  breakLine(n: 1 | 2): void {
    if (this.flat) {
      if (this.lineOpen) this.spaceOwed = true;
      return;
    }
    if (this.parts.length) this.owed = Math.max(this.owed, n);
    this.lineOpen = false;
    this.spaceOwed = false;
  }

  /** <br>: a new line; a second one in a row makes a paragraph break. */
  lineBreak(): void {
    if (this.flat || this.lineOpen) this.breakLine(1);
    else this.breakLine(2);
  }

  /** Inline text from the document: whitespace collapses and is dropped at line starts. */
  inline(data: string): void {
    const s = data.replace(/\s+/g, ' ');
    if (s === '' || s === ' ') {
      if (s === ' ' && this.lineOpen) this.spaceOwed = true;
      return;
    }
    if (s.startsWith(' ') && this.lineOpen) this.spaceOwed = true;
    this.write(s.trim(), true);
    if (s.endsWith(' ')) this.spaceOwed = true;
  }

  /** Text written as is (heading lines, code fences): no collapsing, no escaping. */
  verbatim(text: string): void {
    this.write(text, false);
  }

  private write(text: string, escape: boolean): void {
    if (!this.lineOpen) {
      if (this.parts.length) this.parts.push(this.flat ? ' ' : '\n'.repeat(Math.max(1, this.owed)));
      this.owed = 0;
      if (this.prefix && !this.flat) this.parts.push(this.prefix);
      else if (escape && !this.flat && MARKDOWN_SIGNIFICANT.test(text)) this.parts.push('\\');
      this.prefix = '';
      this.lineOpen = true;
    } else if (this.spaceOwed) {
      this.parts.push(' ');
    }
    this.spaceOwed = false;
    this.parts.push(text);
  }

  toString(): string {
    return this.parts.join('').trim();
  }
}

interface Walk {
  skip: (el: Element) => boolean;
  root: AnyNode;
  /** Nesting depth of lists, for indenting nested items. */
  listDepth: number;
}

/**
 * Markdown-flavoured text of `root` and its descendants, leaving out every element `skip` accepts
 * (the root itself is always rendered).
 */
export function renderMarkdown(root: AnyNode, skip: (el: Element) => boolean): string {
  const w = new TextWriter();
  walk(root, w, { skip, root, listDepth: 0 });
  return w.toString();
}

function walkChildren(el: { children: AnyNode[] }, w: TextWriter, ctx: Walk): void {
  for (const child of el.children) walk(child, w, ctx);
}

function walk(node: AnyNode, w: TextWriter, ctx: Walk): void {
  if (isText(node)) return w.inline(node.data);
  if (isCDATA(node)) return walkChildren(node, w, ctx);
  if ('children' in node && !isTag(node)) return walkChildren(node, w, ctx); // the document
  if (!isTag(node) || (node !== ctx.root && ctx.skip(node))) return;
  const name = node.name;
  const heading = HEADING.exec(name);
  if (heading) return renderHeading(node, Number(heading[1]), w, ctx);
  if (PREFORMATTED.has(name)) return renderPre(node, w, ctx);
  switch (name) {
    case 'br':
      return w.lineBreak();
    case 'img':
      return;
    case 'table':
      return renderTable(node, w, ctx);
    case 'ul':
    case 'ol':
      return renderList(node, w, ctx);
  }
  const gap = PARAGRAPH_BLOCKS.has(name) ? 2 : LINE_BLOCKS.has(name) ? 1 : 0;
  if (gap) w.breakLine(gap);
  walkChildren(node, w, ctx);
  if (gap) w.breakLine(gap);
}

/** One-line text of an element (headings, table cells): every block boundary is a space. */
function flatText(el: Element, ctx: Walk): string {
  const w = new TextWriter(true);
  walkChildren(el, w, { ...ctx, root: el });
  return w.toString();
}

function inCallout(el: Element, root: AnyNode): boolean {
  for (let p = el.parent; p && p !== root && isTag(p as AnyNode); p = (p as Element).parent) {
    const e = p as Element;
    if ((e.attribs['role'] ?? '').toLowerCase() === 'note') return true;
    for (const t of (e.attribs['class'] ?? '').toLowerCase().split(/\s+/)) if (CALLOUT_CLASSES.has(t)) return true;
  }
  return false;
}

function renderHeading(el: Element, level: number, w: TextWriter, ctx: Walk): void {
  // A heading becomes part of every chunk's heading path (and so of titles and the prompt): plain text only.
  const text = plainTitle(flatText(el, ctx));
  if (!text) return;
  if (w.flat) return w.inline(text);
  w.breakLine(2);
  if (inCallout(el, ctx.root)) {
    w.inline(text);
    w.breakLine(2);
    return;
  }
  w.prefix = ''; // "- ## x" would not be a heading; generators such as Javadoc lay pages out in lists
  w.verbatim(`${'#'.repeat(level)} ${text}`);
  w.breakLine(2);
}

/** Raw text of a preformatted block: whitespace kept, <br> as a newline, skipped elements left out. */
function rawText(node: AnyNode, ctx: Walk, out: string[] = []): string[] {
  if (isText(node)) out.push(node.data);
  else if (isTag(node)) {
    if (node.name === 'br') out.push('\n');
    else if (!ctx.skip(node)) for (const c of node.children) rawText(c, ctx, out);
  } else if (isCDATA(node)) for (const c of node.children) rawText(c, ctx, out);
  return out;
}

function renderPre(el: Element, w: TextWriter, ctx: Walk): void {
  const lines = rawText(el, { ...ctx, root: el })
    .join('')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''));
  while (lines.length && !lines[0]) lines.shift();
  while (lines.length && !lines[lines.length - 1]) lines.pop();
  if (!lines.length) return;
  if (w.flat) return w.inline(lines.join(' '));
  const fence = lines.some((l) => /^\s*```/.test(l)) ? '~~~' : '```';
  w.breakLine(2);
  w.prefix = ''; // a list marker before a fence would hide the fence from the chunker
  w.verbatim(`${fence}\n${lines.join('\n')}\n${fence}`);
  w.breakLine(2);
}

function renderList(el: Element, w: TextWriter, ctx: Walk): void {
  w.breakLine(ctx.listDepth ? 1 : 2);
  const inner = { ...ctx, listDepth: ctx.listDepth + 1 };
  const indent = '  '.repeat(ctx.listDepth);
  let n = Number.parseInt(el.attribs['start'] ?? '1', 10);
  if (!Number.isFinite(n)) n = 1;
  for (const child of el.children) {
    if (isTag(child) && child.name === 'li' && !ctx.skip(child)) {
      w.breakLine(1);
      w.prefix = indent + (el.name === 'ol' ? `${n++}. ` : '- ');
      walkChildren(child, w, inner);
      w.prefix = '';
      w.breakLine(1);
    } else {
      walk(child, w, inner);
    }
  }
  w.breakLine(ctx.listDepth ? 1 : 2);
}

/** Rows of this table, not of tables nested in its cells. */
function tableRows(el: Element, ctx: Walk, out: Element[] = []): Element[] {
  for (const c of el.children) {
    if (!isTag(c) || ctx.skip(c)) continue;
    if (c.name === 'tr') out.push(c);
    else if (c.name === 'thead' || c.name === 'tbody' || c.name === 'tfoot') tableRows(c, ctx, out);
  }
  return out;
}

function hasStructure(el: Element, ctx: Walk): boolean {
  return el.children.some((c) => isTag(c) && !ctx.skip(c) && (CELL_STRUCTURE.has(c.name) || hasStructure(c, ctx)));
}

/**
 * A table reads row by row. A row of short cells is one "cell | cell" line; a row with a single cell, or
 * whose cells hold code, lists, headings or nested tables (a layout table), is rendered as blocks instead.
 */
function renderTable(el: Element, w: TextWriter, ctx: Walk): void {
  w.breakLine(2);
  for (const c of el.children) {
    if (isTag(c) && c.name === 'caption' && !ctx.skip(c)) {
      const caption = flatText(c, ctx);
      if (caption) {
        w.inline(caption);
        w.breakLine(1);
      }
    }
  }
  for (const row of tableRows(el, ctx)) {
    const cells = row.children.filter((c): c is Element => isTag(c) && (c.name === 'td' || c.name === 'th') && !ctx.skip(c));
    if (cells.length === 1 || cells.some((c) => hasStructure(c, ctx))) {
      for (const cell of cells) {
        w.breakLine(1);
        walkChildren(cell, w, ctx);
        w.breakLine(1);
      }
      continue;
    }
    const texts = cells.map((c) => flatText(c, ctx)).filter(Boolean);
    if (!texts.length) continue;
    w.breakLine(1);
    w.inline(texts.join(' | '));
    w.breakLine(1);
  }
  w.breakLine(2);
}
