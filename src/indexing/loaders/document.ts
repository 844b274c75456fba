/**
 * Small helpers every loader shares: building a DocumentRecord with its content hash, naming things
 * from file names, and normalising whitespace and dates.
 */
import { posix } from 'node:path';
import { LoadError } from '../../core/errors.js';
import { sha256 } from '../../core/hash.js';
import type { DocumentRecord } from '../../core/types.js';
import { BinaryContentError, decodeText } from './binary-sniff.js';
import type { LoaderInput } from './loader.js';

/** Everything but the hash; `buildDocument` computes it. */
export type DocumentDraft = Omit<DocumentRecord, 'contentHash'>;

/**
 * Finishes a record: drops empty fields and computes `contentHash`. The hash covers what gets indexed and
 * shown (title, text, keywords, url, page, fields) but not `modified`, so touching a file is not a change.
 */
export function buildDocument(draft: DocumentDraft): DocumentRecord {
  const fields: Record<string, string> = {};
  for (const key of Object.keys(draft.fields).sort()) {
    const value = draft.fields[key];
    if (value !== undefined && value.trim() !== '') fields[key] = value;
  }
  const contentHash = sha256(
    draft.title,
    draft.text,
    draft.keywords.join('\n'),
    draft.url ?? '',
    draft.page === null ? '' : String(draft.page),
    JSON.stringify(fields),
  );
  return { ...draft, fields, contentHash };
}

/** Where an input came from, for skip reports and LoadError: the file path, else the URL, else relPath. */
export function locationOf(input: LoaderInput): string {
  return input.absPath ?? input.url ?? input.relPath;
}

/** "docs/Intro Guide.md" -> "Intro Guide"; for a URL, the last path segment without its extension. */
export function titleFromName(relPath: string): string {
  let name = relPath;
  if (/^https?:\/\//i.test(relPath)) {
    try {
      const url = new URL(relPath);
      name = decodeURIComponent(url.pathname.replace(/\/+$/, ''));
      if (!name) return url.hostname;
    } catch {
      // keep the raw string
    }
  }
  const base = posix.basename(name);
  const ext = posix.extname(base);
  return (ext && base.length > ext.length ? base.slice(0, -ext.length) : base) || name;
}

/** Collapses runs of whitespace (including newlines) to single spaces and trims. */
export function collapseWhitespace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * Tidies multi-line text: trims each line, collapses runs of spaces, keeps at most one blank line between
 * paragraphs. Used for abstracts and page text where line structure carries meaning.
 */
export function tidyText(s: string): string {
  return s
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** ISO timestamp of a file's mtime, or null. */
export function isoFromDate(d: Date | null): string | null {
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : null;
}

/**
 * Normalises catalog dates to ISO: "20260206" / "2026-02-06" -> "2026-02-06", "202602" -> "2026-02-01",
 * "2026" -> "2026-01-01"; full ISO timestamps are kept. "unknown", "Present", intervals -> null.
 */
export function isoDay(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value.trim();
  let m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v);
  if (m) return validDay(m[1]!, m[2]!, m[3]!);
  m = /^(\d{4})-?(\d{2})$/.exec(v);
  if (m) return validDay(m[1]!, m[2]!, '01');
  m = /^(\d{4})$/.exec(v);
  if (m) return validDay(m[1]!, '01', '01');
  if (/^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v))) return v;
  return null;
}

function validDay(y: string, mo: string, d: string): string | null {
  const iso = `${y}-${mo}-${d}`;
  const t = new Date(`${iso}T00:00:00Z`);
  // Rejects 2026-13-40 and similar, which Date would otherwise roll over.
  return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(iso) ? iso : null;
}

/**
 * Decodes a text input, turning binary junk into a LoadError the caller reports as a skip.
 * @throws LoadError "binary file, not text"
 */
export function readText(input: LoaderInput): string {
  try {
    return decodeText(input.bytes, input.charset);
  } catch (err) {
    if (err instanceof BinaryContentError) throw new LoadError(locationOf(input), err.message);
    throw err;
  }
}

/** Provenance fields shared by all single-document file loaders. */
export function provenance(input: LoaderInput): Pick<DocumentDraft, 'sourceId' | 'sourceRoot' | 'url' | 'path' | 'modified'> {
  return {
    sourceId: input.relPath,
    sourceRoot: input.sourceRoot,
    url: input.url ?? null,
    path: input.absPath,
    modified: isoFromDate(input.mtime),
  };
}
