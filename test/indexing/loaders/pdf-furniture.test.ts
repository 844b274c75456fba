/**
 * Running headers, footers and page numbers leave PDF page text; body lines, even repeated ones, stay; page
 * documents keep their physical page numbers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFParse, VerbosityLevel } from 'pdf-parse';
import { describe, expect, it } from 'vitest';
import { requireShared } from '../../helpers/require-shared.js';
import { pdfLoader } from '../../../src/indexing/loaders/pdf-loader.js';
import { lineShape, stripPageFurniture, type PageText } from '../../../src/indexing/loaders/pdf-furniture.js';
import { FIELD_MANUAL_PAGES, FIELD_MANUAL_TITLE, buildFieldManualPdf, type ManualPage } from '../../fixtures/make-sample-pdf.js';

const pdfs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/pdfs');
const hasPdfs = requireShared('[loaders] real-PDF running-header tests', 'pdfs').present;

async function rawPages(file: string): Promise<PageText[]> {
  const parser = new PDFParse({ data: new Uint8Array(readFileSync(path.join(pdfs, file))), verbosity: VerbosityLevel.ERRORS });
  try {
    return (await parser.getText()).pages;
  } finally {
    await parser.destroy();
  }
}

const pagesOf = (texts: string[], first = 1): PageText[] => texts.map((text, i) => ({ num: first + i, text }));
/** Body lines that differ in words, not only in numbers (numbers are what a running head varies). */
const WORDS = ['alder', 'birch', 'cedar', 'dogwood', 'elm', 'fir', 'ginkgo', 'hemlock', 'ironwood', 'juniper'];
const line = (i: number, what: string) => `The ${WORDS[i % WORDS.length]} ${what} grows here.`;

describe('stripPageFurniture', () => {
  it('removes a running header and "Page N of M" footer that repeat on every page', () => {
    const body = (n: number) => `${line(n, 'tree')}\n${line(n + 3, 'shrub')}`;
    const pages = pagesOf([1, 2, 3, 4, 5].map((n) => `Field Manual - version 2.1\n${body(n)}\nPage ${n} of 5`));
    const { pages: out, removed } = stripPageFurniture(pages);
    expect(out.map((p) => p.text)).toEqual([1, 2, 3, 4, 5].map(body));
    expect(out.map((p) => p.num)).toEqual([1, 2, 3, 4, 5]);
    expect(removed).toHaveLength(10);
    expect(removed).toContain('Page 3 of 5');
  });

  it('removes bare page numbers and alternating even/odd heads ("12 Manual 5.4" / "Manual 5.4 13")', () => {
    const texts = Array.from({ length: 8 }, (_, i) => {
      const n = i + 11;
      const head = n % 2 ? `Manual 5.4 ${n}` : `${n} Manual 5.4`;
      return `${head}\n${line(i, 'tree')}\n${line(i + 1, 'shrub')}\n${n}`;
    });
    const { pages: out } = stripPageFurniture(pagesOf(texts, 11));
    for (const [i, p] of out.entries()) expect(p.text).toBe(`${line(i, 'tree')}\n${line(i + 1, 'shrub')}`);
  });

  it('removes a chapter running head that changes with the chapter but carries the printed page number', () => {
    // Printed numbers trail physical pages by 4 (front matter), as in liboctave.pdf.
    const chapters = ['Arrays', 'Arrays', 'Matrix Operations', 'Matrix Operations', 'Matrix Operations', 'Ranges', 'Quadrature', 'Quadrature'];
    const texts = chapters.map((c, i) => `Chapter ${i < 2 ? 3 : i < 5 ? 4 : i < 6 ? 6 : 10}: ${c} ${i + 6}\n${line(i, 'tree')}\n${line(i + 1, 'shrub')}`);
    const { pages: out } = stripPageFurniture(pagesOf(texts, 10));
    for (const [i, p] of out.entries()) expect(p.text).toBe(`${line(i, 'tree')}\n${line(i + 1, 'shrub')}`);
  });

  it('keeps body lines that repeat on a page or two, lines in the middle of pages, and list numbers', () => {
    const body = (n: number, second: string) =>
      `Manual ${n}\n${second}\n${line(n, 'tree')}\n42\n${line(n + 1, 'shrub')}\n${line(n + 2, 'vine')}\n${line(n + 3, 'moss')}\n${n}`;
    const texts = [
      body(1, 'Syntax:'),
      body(2, 'Syntax:'),
      body(3, 'Examples:'),
      body(4, 'See also'),
      body(5, '5 Acceptance Not Required'),
      body(6, 'Notes'),
    ];
    const { pages: out, removed } = stripPageFurniture(pagesOf(texts));
    expect(out.map((p) => p.text)).toEqual(texts.map((t) => t.split('\n').slice(1, -1).join('\n')));
    // Only the head ("Manual N") and the page number went: "Syntax:" at a page edge twice, the "42" in the
    // middle of every page, and a second line that starts with the page's number all stay.
    expect(removed).toEqual(texts.flatMap((_, i) => [`Manual ${i + 1}`, String(i + 1)]));
  });

  it('changes nothing in a short document or one without repeats, and never empties a whole document', () => {
    const two = pagesOf(['Head\nOne\n1', 'Head\nTwo\n2']);
    expect(stripPageFurniture(two).pages).toEqual(two);
    const distinct = pagesOf(['Alpha\nbeta', 'Gamma\ndelta', 'Epsilon\nzeta', 'Eta\ntheta']);
    expect(stripPageFurniture(distinct)).toEqual({ pages: distinct, removed: [] });
    const same = pagesOf(['Confidential', 'Confidential', 'Confidential']);
    expect(stripPageFurniture(same).pages.map((p) => p.text)).toEqual(['Confidential', 'Confidential', 'Confidential']);
  });

  it('shapes lines with digits and roman page numbers as placeholders', () => {
    expect(lineShape('  gnuplot 5.4   51 ')).toBe('gnuplot #.# #');
    expect(lineShape('xiv')).toBe('#');
    expect(lineShape('mild')).toBe('mild');
  });
});

describe('pdfLoader on a typeset multi-page PDF', () => {
  it('drops the running header and page-number footer, keeps every page and its physical number', async () => {
    const extra: ManualPage[] = [
      { title: 'Glossary', blocks: [{ paragraph: 'Snow water equivalent: the depth of water a snowpack would give if it melted at once.' }] },
      { title: 'Contacts', blocks: [{ paragraph: 'Field office radio channel 4; questions to field-ops@example.org.' }] },
    ];
    const pages = [...FIELD_MANUAL_PAGES, ...extra];
    const pdf = buildFieldManualPdf(pages);
    const docs = await pdfLoader.load({ absPath: '/d/manual.pdf', relPath: 'manual.pdf', sourceRoot: '/d', bytes: pdf, mtime: null });
    expect(docs.map((d) => d.page)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const [i, d] of docs.entries()) {
      expect(d.text).not.toContain('version 2.1');
      expect(d.text).not.toMatch(/Page \d of 6/);
      expect(d.text.startsWith(pages[i]!.title.split(' ')[0]!)).toBe(true);
    }
    // The first page's own title line is body text: it differs from the running head and stays.
    expect(docs[0]!.text.split('\n')[0]).toBe(FIELD_MANUAL_TITLE);
    expect(docs[1]!.text).toContain('Put the logger inside a white PVC radiation shield');
    expect(docs[5]!.text).toContain('field-ops@example.org');
  });
});

describe.skipIf(!hasPdfs)('running heads of the real manuals (../shared/pdfs)', () => {
  it('gnuplot.pdf: drops "50 gnuplot 5.4" / "gnuplot 5.4 51" heads from every page but the cover, and nothing else', async () => {
    const pages = await rawPages('gnuplot.pdf');
    const { pages: out, removed } = stripPageFurniture(pages);
    expect(out.map((p) => p.num)).toEqual(pages.map((p) => p.num));
    expect(removed.length).toBeGreaterThanOrEqual(300);
    expect(removed.filter((l) => !/^(\d+ gnuplot 5\.4( CONTENTS| INDEX)?|(CONTENTS |INDEX )?gnuplot 5\.4 \d+|\d+)$/.test(l))).toEqual([]);
    expect(out.filter((p) => /gnuplot 5\.4/.test(p.text.split('\n')[0]!)).map((p) => p.num)).toEqual([1]);
    expect(out.find((p) => p.num === 21)!.text).toContain('Copyright (C) 1986 - 1993');
  }, 60_000);

  it('liboctave.pdf: drops chapter heads that carry the printed page number and bare page numbers, keeps chapter titles', async () => {
    const pages = await rawPages('liboctave.pdf');
    const { pages: out, removed } = stripPageFurniture(pages);
    expect(removed).toHaveLength(55);
    expect(removed.filter((l) => !/^(Chapter \d+: .+ \d+|GNU GENERAL PUBLIC LICENSE \d+|Function Index \d+|\d+|[ivx]+)$/.test(l))).toEqual([]);
    expect(out.find((p) => p.num === 5)!.text.split('\n')[0]).toBe('1 Acknowledgements');
    expect(out.find((p) => p.num === 22)!.text.split('\n')[0]).toBe('4 Matrix and Vector Operations');
  }, 60_000);
});
