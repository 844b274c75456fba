import type { Chunk, DocumentRecord } from '../core/types.js';
import { sha256 } from '../core/hash.js';

export interface ChunkingOptions {
  /** Target maximum characters per chunk. */
  size: number;
  /**
   * Maximum characters for a catalog record (DCAT, FGDC) before it is split. Larger than `size` so a record is
   * usually one chunk: BM25 then scores the whole record, and an embedding model that truncates still sees its
   * title, keywords and the start of its description, the most telling part.
   */
  recordSize: number;
  /** Characters of the previous chunk repeated at the start of the next, so a sentence cut at a boundary is still found whole. */
  overlap: number;
}

/**
 * Splits a document along its structure: Markdown and HTML (the HTML loader writes "#" heading lines) by
 * headings, then paragraphs, then sentences; PDF pages are already one document each.
 * Catalog records (DCAT, FGDC) become one chunk with the title and keywords folded in, so a record matches on
 * its name and subjects as well as its description; a long record is split with the same header on every piece.
 */
export function chunkDocument(doc: DocumentRecord, opts: ChunkingOptions): Chunk[] {
  const pieces = doc.kind === 'markdown' || doc.kind === 'html' ? chunkMarkdown(doc, opts) : chunkPlain(doc, opts);
  return pieces.map((text, ordinal) => makeChunk(doc, text, ordinal));
}

function chunkPlain(doc: DocumentRecord, opts: ChunkingOptions): string[] {
  const header = recordHeader(doc);
  const size = doc.kind === 'dcat' || doc.kind === 'fgdc' ? Math.max(opts.size, opts.recordSize) : opts.size;
  const budget = Math.max(200, size - header.length);
  return packParagraphs(splitParagraphs(doc.text), budget, opts.overlap).map((body) => (header ? `${header}\n\n${body}` : body));
}

/** Title and keywords for catalog records; the PDF/HTML/text title for a page so a passage says where it is from. */
function recordHeader(doc: DocumentRecord): string {
  if (doc.kind === 'dcat' || doc.kind === 'fgdc') {
    const kw = doc.keywords.length ? `\nKeywords: ${doc.keywords.join(', ')}` : '';
    return `${doc.title}${kw}`;
  }
  return doc.title;
}

interface Section {
  path: string;
  body: string;
}

function chunkMarkdown(doc: DocumentRecord, opts: ChunkingOptions): string[] {
  const sections: Section[] = [];
  const trail: string[] = [];
  let body: string[] = [];
  const flush = () => {
    const text = body.join('\n').trim();
    if (text) sections.push({ path: [doc.title, ...headingTrail(trail, doc.title)].join(' > '), body: text });
    body = [];
  };
  let inFence = false;
  for (const line of doc.text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const m = inFence ? null : /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (m) {
      flush();
      trail.length = m[1]!.length - 1;
      trail[m[1]!.length - 1] = m[2]!;
      continue;
    }
    body.push(line);
  }
  flush();
  const out: string[] = [];
  for (const s of sections) {
    const budget = Math.max(200, opts.size - s.path.length);
    for (const piece of packParagraphs(splitParagraphs(s.body), budget, opts.overlap)) out.push(`${s.path}\n\n${piece}`);
  }
  return out;
}

/**
 * The headings above a section, without the one that repeats the title: a heading equal to it, or an outermost
 * heading the title starts with (an HTML <title> is often "<h1> — Site name").
 */
function headingTrail(trail: string[], title: string): string[] {
  return trail.filter(Boolean).filter((t, i) => t !== title && !(i === 0 && title.startsWith(t)));
}

function splitParagraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Greedily packs paragraphs up to `size`; a paragraph that alone is too long is split at sentences, then words. */
function packParagraphs(paragraphs: string[], size: number, overlap: number): string[] {
  const units = paragraphs.flatMap((p) => (p.length <= size ? [p] : splitLong(p, size)));
  const out: string[] = [];
  let current = '';
  for (const u of units) {
    if (current && current.length + 2 + u.length > size) {
      out.push(current);
      const tail = overlapTail(current, overlap);
      current = tail && tail.length + 2 + u.length <= size ? `${tail}\n\n${u}` : u;
    } else {
      current = current ? `${current}\n\n${u}` : u;
    }
  }
  if (current) out.push(current);
  return out;
}

function splitLong(paragraph: string, size: number): string[] {
  const sentences = paragraph.match(/[^.!?]+(?:[.!?]+["')\]]*\s*|$)/g) ?? [paragraph];
  const out: string[] = [];
  let current = '';
  for (const raw of sentences) {
    for (const s of raw.length <= size ? [raw] : hardWrap(raw, size)) {
      if (current && current.length + s.length > size) {
        out.push(current.trim());
        current = '';
      }
      current += s;
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

function hardWrap(text: string, size: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/(\s+)/)) {
    if (line.length + word.length > size && line) {
      out.push(line);
      line = '';
    }
    line += word.length > size ? word.slice(0, size) : word;
  }
  if (line) out.push(line);
  return out;
}

/** The last ~`overlap` characters of a chunk, starting at a word boundary. */
function overlapTail(text: string, overlap: number): string {
  if (overlap <= 0) return '';
  const start = text.length - overlap;
  if (start <= 0) return '';
  const space = text.indexOf(' ', start);
  return space < 0 ? '' : text.slice(space + 1);
}

function makeChunk(doc: DocumentRecord, text: string, ordinal: number): Chunk {
  return {
    id: sha256(doc.sourceRoot, doc.sourceId, String(doc.page ?? ''), String(ordinal)).slice(0, 32),
    sourceId: doc.sourceId,
    sourceRoot: doc.sourceRoot,
    kind: doc.kind,
    title: doc.title,
    url: doc.url,
    path: doc.path,
    page: doc.page,
    modified: doc.modified,
    keywords: doc.keywords,
    text,
    ordinal,
    textHash: sha256(text),
  };
}
