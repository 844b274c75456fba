/**
 * Running headers, footers and page numbers in PDF page text. A typeset manual prints its title, the chapter
 * name and the page number at the top or bottom of every page; extracted, they land in every chunk and
 * outweigh the page's own words in keyword search. Two signals, both about the page edges only (the first
 * and last lines of a page), so body text is never touched:
 *
 * - shape: an edge line that, digits replaced by a placeholder, sits at the edge of many pages
 *   ("gnuplot 5.4 51", "Page 3 of 40", a bare "17");
 * - page number: an edge line that starts or ends with the page's printed number, when the document's printed
 *   numbers follow its physical pages at a steady offset on many pages ("Chapter 4: Matrix Operations 26"
 *   on page 30, where the chapter name changes but the number keeps step).
 *
 * "Many" is at least 30 % of the pages with text and at least 3 pages, so a line that merely repeats once or
 * twice stays.
 */

export interface PageText {
  num: number;
  text: string;
}

/** Lines examined at each edge of a page: a header or footer is one or two lines. */
const EDGE_LINES = 2;
const MIN_SHARE = 0.3;
const MIN_PAGES = 3;
/** Longer lines are sentences, not running heads. */
const MAX_FURNITURE_CHARS = 120;
/** Lower-case roman numerals as page numbers of front matter ("iv"); strict form, so "mild" is not one. */
const ROMAN = /^m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$/;

/** The line with runs of digits (and a whole-line roman numeral) replaced by '#', whitespace collapsed. */
export function lineShape(line: string): string {
  const s = line.replace(/\s+/g, ' ').trim();
  if (s && ROMAN.test(s)) return '#';
  return s.replace(/\d+/g, '#');
}

/** One page's edge lines: up to EDGE_LINES non-blank lines at each end, and which of them are outermost. */
interface PageEdges {
  lines: string[];
  /** Indexes into `lines` of the edge lines short enough to be furniture. */
  edge: number[];
  /** The first and last non-blank lines, where a page number sits. */
  outer: Set<number>;
}

function pageEdges(text: string): PageEdges {
  const lines = text.split('\n');
  const filled = lines.flatMap((l, i) => (l.trim() ? [i] : []));
  const edge = [...new Set([...filled.slice(0, EDGE_LINES), ...filled.slice(-EDGE_LINES)])];
  return {
    lines,
    edge: edge.filter((i) => lines[i]!.trim().length <= MAX_FURNITURE_CHARS),
    outer: new Set(filled.length ? [filled[0]!, filled[filled.length - 1]!] : []),
  };
}

/**
 * The numbers a running head could print as the page number: a leading or trailing integer standing alone
 * ("26", "50 gnuplot 5.4", "Arrays 26"), not a list number ("9. Acceptance") or a version ("5.4").
 */
function edgeNumbers(line: string): number[] {
  const s = line.trim();
  const out: number[] = [];
  const lead = /^(\d{1,5})(?=\s|$)/.exec(s);
  const trail = /(?:^|\s)(\d{1,5})$/.exec(s);
  if (lead) out.push(Number(lead[1]));
  if (trail) out.push(Number(trail[1]));
  return out;
}

function countOncePerPage<K>(perPage: K[][]): Map<K, number> {
  const counts = new Map<K, number>();
  for (const keys of perPage) for (const k of new Set(keys)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

/**
 * The pages with their running headers, footers and page-number lines removed, and the lines removed.
 * Page numbers and order are kept; a page left with no text keeps an empty `text`.
 */
export function stripPageFurniture(pages: readonly PageText[]): { pages: PageText[]; removed: string[] } {
  const edges = pages.map((p) => pageEdges(p.text));
  const withText = edges.filter((e) => e.outer.size > 0).length;
  const minPages = Math.max(MIN_PAGES, Math.ceil(MIN_SHARE * withText));

  const shapeCounts = countOncePerPage(edges.map((e) => e.edge.map((i) => lineShape(e.lines[i]!))));
  // The offset between physical page and printed number, voted once per page by the outermost lines (a chapter
  // heading just inside them may start with a number too); the most common offset counts if it is common enough.
  const offsetCounts = countOncePerPage(
    edges.map((e, p) => e.edge.filter((i) => e.outer.has(i)).flatMap((i) => edgeNumbers(e.lines[i]!).map((n) => pages[p]!.num - n))),
  );
  let offset: number | null = null;
  let best = 0;
  for (const [o, c] of offsetCounts) if (c >= minPages && c > best) [offset, best] = [o, c];

  const removed: string[] = [];
  const out = pages.map((page, p) => {
    const e = edges[p]!;
    const printed = offset === null ? null : page.num - offset;
    const drop = e.edge.filter((i) => {
      const line = e.lines[i]!;
      const numbered = printed !== null && e.outer.has(i) && edgeNumbers(line).includes(printed);
      return numbered || (shapeCounts.get(lineShape(line)) ?? 0) >= minPages;
    });
    if (!drop.length) return { ...page };
    for (const i of drop.sort((a, b) => a - b)) removed.push(e.lines[i]!.trim());
    return { num: page.num, text: e.lines.filter((_, i) => !drop.includes(i)).join('\n') };
  });
  // A document that is nothing but repeated lines (the same slide on every page) keeps them: better than nothing.
  if (removed.length && out.every((pg) => !pg.text.trim())) return { pages: pages.map((pg) => ({ ...pg })), removed: [] };
  return { pages: out, removed };
}
