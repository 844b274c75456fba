import type { Chunk, DocumentRecord } from '../core/types.js';
import { sha256 } from '../core/hash.js';
import { splitSentences } from '../core/text/sentences.js';

/**
 * Bump when chunkDocument cuts the same documents differently. A reindex where no document and no setting changed
 * skips chunking by comparing a hash of its inputs (indexer.ts, `inputsHash`); this version is part of that hash,
 * so an index built by an older chunker is chunked again once.
 */
export const CHUNKER_VERSION = 1;

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

/**
 * A paragraph too long for one chunk. Prose is split between sentences (never inside "12.50" or "Oct. 1");
 * table rows, list items and code lines stay whole lines, and a code fence cut in two is closed and reopened so
 * both halves still read as code. A sentence longer than a chunk is split between words.
 */
function splitLong(paragraph: string, size: number): string[] {
  const units: Array<{ text: string; sep: ' ' | '\n'; fenced: boolean }> = [];
  let prose: string[] = [];
  let inFence = false;
  const flushProse = () => {
    for (const sentence of splitSentences(prose.join(' '))) {
      for (const piece of sentence.length <= size ? [sentence] : hardWrap(sentence, size)) units.push({ text: piece, sep: ' ', fenced: false });
    }
    prose = [];
  };
  for (const line of paragraph.split('\n')) {
    const fence = /^\s*(```|~~~)/.test(line);
    if (fence || inFence || isStructuredLine(line)) {
      flushProse();
      if (fence) inFence = !inFence;
      for (const piece of line.length <= size ? [line] : hardWrap(line, size)) units.push({ text: piece, sep: '\n', fenced: inFence && !fence });
    } else {
      prose.push(line.trim());
    }
  }
  flushProse();
  const out: string[] = [];
  let current = '';
  for (const u of units) {
    if (current && current.length + 1 + u.text.length > size) {
      out.push(u.fenced ? `${current}\n\`\`\`` : current);
      current = u.fenced ? '```' : '';
    }
    current = current ? `${current}${u.sep}${u.text}` : u.text;
  }
  if (current) out.push(current);
  return out;
}

/** Markdown lines whose line break is meaning, not layout: table rows, list items, headings, rules. */
function isStructuredLine(line: string): boolean {
  return /^\s*(\||[-*+•]\s|\d{1,3}[.)]\s|#{1,6}\s|([-*_])\2{2,}\s*$)/.test(line);
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

/**
 * The whole sentences at the end of a chunk that fit in `overlap` characters, repeated at the start of the next
 * for context. Whole sentences only: a tail cut at a word boundary began the next chunk mid-sentence, and that
 * fragment was quoted as if it were a sentence.
 */
function overlapTail(text: string, overlap: number): string {
  if (overlap <= 0 || text.length <= overlap) return '';
  const lastParagraph = text.slice(text.lastIndexOf('\n\n') + 1).trim();
  // Table rows, list items and code are line-structured: repeating part of them reads as noise.
  if (/\n/.test(lastParagraph) || /^(\||[-*+] |\d+[.)] |```)/.test(lastParagraph)) return '';
  const sentences = splitSentences(lastParagraph);
  let tail = '';
  for (let i = sentences.length - 1; i >= 0; i--) {
    const next = tail ? `${sentences[i]} ${tail}` : sentences[i]!;
    if (next.length > overlap) break;
    tail = next;
  }
  return tail;
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
    // Every chunk of a document shares its fields object (read-only after loading): no copy per chunk.
    fields: doc.fields,
  };
}
