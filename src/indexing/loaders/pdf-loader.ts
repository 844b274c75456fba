import { PDFParse, VerbosityLevel } from 'pdf-parse';
import { LoadError } from '../../core/errors.js';
import type { DocumentRecord } from '../../core/types.js';
import { buildDocument, collapseWhitespace, locationOf, provenance, tidyText, titleFromName } from './document.js';
import { DEFAULT_PARSE_LIMITS, pageLimitReason } from '../loader-limits.js';
import type { FileLoader, LoadContext, LoaderInput } from './loader.js';
import { stripPageFurniture } from './pdf-furniture.js';

/** Info-dictionary titles that name a file or a template rather than the document. */
const JUNK_TITLE = /^(untitled|title|document|slide\s*\d*|microsoft (word|powerpoint) - .*|.*\.(pdf|docx?|tex|dvi|ps|rtf|odt|pptx?|xlsx?|indd|qxd))$/i;

/** The PDF Title when it says something; else null and the caller falls back to the file name. */
export function meaningfulPdfTitle(raw: unknown, fileTitle: string): string | null {
  if (typeof raw !== 'string') return null;
  const title = collapseWhitespace(raw);
  if (title.length < 3 || JUNK_TITLE.test(title) || title === fileTitle) return null;
  return title;
}

/** Maps pdf.js / pdf-parse exceptions (matched by name: they cross a worker boundary) to skip reasons. */
function reasonFor(err: unknown): string {
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'PasswordException') return 'encrypted PDF (password required)';
  return `corrupt PDF: ${message || name || 'unreadable'}`;
}

/**
 * PDFs: one document per physical page (1-based), pages without text dropped. Running headers, footers and
 * page numbers are removed first (pdf-furniture.ts), so they do not repeat in every chunk. A PDF with no text at
 * all (a scan) is skipped with a reason, so it does not vanish silently. A PDF with more pages than
 * `ctx.parse.maxPdfPages` is skipped before any page is read (pdf.js takes ~3 ms a page, all of it CPU).
 * Indexing calls this inside the parse worker (parse-pool.ts), which also bounds its time and memory.
 */
export const pdfLoader: FileLoader = {
  extensions: ['.pdf'],
  async load(input: LoaderInput, ctx?: Pick<LoadContext, 'parse'>): Promise<DocumentRecord[]> {
    const maxPages = ctx?.parse?.maxPdfPages ?? DEFAULT_PARSE_LIMITS.maxPdfPages;
    const location = locationOf(input);
    // pdf.js may transfer (detach) the buffer it is given; hand it a copy so the caller's bytes stay usable.
    const parser = new PDFParse({ data: new Uint8Array(input.bytes), verbosity: VerbosityLevel.ERRORS });
    try {
      let info: Awaited<ReturnType<PDFParse['getInfo']>>;
      let pages: { num: number; text: string }[];
      try {
        info = await parser.getInfo();
      } catch (err) {
        throw new LoadError(location, reasonFor(err), err);
      }
      if (info.total > maxPages) throw new LoadError(location, pageLimitReason(info.total, maxPages));
      try {
        pages = (await parser.getText()).pages;
      } catch (err) {
        throw new LoadError(location, reasonFor(err), err);
      }
      const fileTitle = titleFromName(input.relPath);
      const infoDict = (info.info ?? {}) as Record<string, unknown>;
      const title = meaningfulPdfTitle(infoDict['Title'], fileTitle) ?? fileTitle;
      const author = typeof infoDict['Author'] === 'string' ? collapseWhitespace(infoDict['Author']) : '';
      const fields = { author, pageCount: String(info.total) };
      const docs: DocumentRecord[] = [];
      for (const p of stripPageFurniture(pages).pages) {
        const text = tidyText(p.text);
        if (!text) continue;
        docs.push(buildDocument({ ...provenance(input), kind: 'pdf', title, text, page: p.num, keywords: [], fields }));
      }
      if (docs.length === 0) throw new LoadError(location, 'no extractable text in PDF (scanned images?)');
      return docs;
    } finally {
      await parser.destroy().catch(() => undefined);
    }
  },
};
