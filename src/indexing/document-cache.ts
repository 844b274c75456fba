import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { DocumentRecord } from '../core/types.js';

/**
 * Bump when a loader's output changes for the same input (e.g. HTML boilerplate removal, PDF running headers):
 * cached documents of an older version are parsed again instead of keeping their old text forever.
 * 3: catalog records carry card fields (periodStart/periodEnd, formats, downloads, landingPage).
 */
export const LOADER_VERSION = 3;
const FORMAT = 'docent-documents-ndjson';

interface Entry {
  size: number;
  mtimeMs: number;
  fetchedAt: string;
  docs: DocumentRecord[];
  /** HTTP validators of a URL source's last good download (for conditional requests). */
  validators?: { etag?: string; lastModified?: string };
  /** LOADER_VERSION of the loaders that produced `docs` (absent: before versions were kept). */
  loaderVersion?: number;
}

/**
 * Remembers the documents each file or URL produced, keyed by location. A file whose size and mtime are
 * unchanged is not parsed again (that is what makes a no-change reindex of 370 PDF pages take well under a
 * second); a URL that cannot be fetched falls back to its last good copy instead of vanishing from the index.
 */
export class DocumentCache {
  private entries: Record<string, Entry>;
  private readonly used = new Set<string>();

  constructor(private readonly file: string) {
    this.entries = existsSync(file) ? readEntries(file) : {};
  }

  /** Cached documents of a file whose size and mtime match; undefined for URLs (size −1) or changed files. */
  fresh(location: string, size: number, mtimeMs: number): DocumentRecord[] | undefined {
    const e = this.entries[location];
    if (!e || size < 0 || e.size !== size || e.mtimeMs !== mtimeMs || e.loaderVersion !== LOADER_VERSION) return undefined;
    this.used.add(location);
    return e.docs;
  }

  /** Last good copy regardless of freshness (for an unreachable URL). */
  lastGood(location: string): { docs: DocumentRecord[]; fetchedAt: string } | undefined {
    const e = this.entries[location];
    if (!e) return undefined;
    this.used.add(location);
    return { docs: e.docs, fetchedAt: e.fetchedAt };
  }

  put(location: string, size: number, mtimeMs: number, docs: DocumentRecord[], validators?: Entry['validators']): void {
    this.entries[location] = { size, mtimeMs, fetchedAt: new Date().toISOString(), loaderVersion: LOADER_VERSION, docs, ...(validators ? { validators } : {}) };
    this.used.add(location);
  }

  /** A URL's last good documents with the validators to ask the server whether they are still current. */
  conditional(location: string): { validators: NonNullable<Entry['validators']>; docs: DocumentRecord[] } | undefined {
    const e = this.entries[location];
    return e?.validators ? { validators: e.validators, docs: e.docs } : undefined;
  }

  /** Saves only the entries this run used, so deleted files do not linger forever. */
  save(): void {
    const kept: Record<string, Entry> = {};
    for (const k of this.used) if (this.entries[k]) kept[k] = this.entries[k];
    this.entries = kept;
    writeEntries(this.file, kept);
  }
}

/**
 * One entry per line (NDJSON), written and read without ever holding the whole file as one string: a catalog
 * of a million records makes a cache of over a gigabyte, past V8's ~512 MB string limit, which a single
 * JSON.stringify / readFileSync(…, 'utf8') hits. A file in the older single-JSON format, or a torn one, is
 * read as empty: everything is parsed again, nothing is lost.
 */
function readEntries(file: string): Record<string, Entry> {
  const out: Record<string, Entry> = {};
  try {
    const buf = readFileSync(file);
    let start = 0;
    let first = true;
    while (start < buf.length) {
      let end = buf.indexOf(0x0a, start);
      if (end < 0) end = buf.length;
      const line = buf.toString('utf8', start, end);
      start = end + 1;
      if (line.trim() === '') continue;
      const value = JSON.parse(line) as { format?: string; location?: string; entry?: Entry };
      if (first) {
        if (value.format !== FORMAT) return {};
        first = false;
      } else if (value.location && value.entry) out[value.location] = value.entry;
    }
    return out;
  } catch {
    return {};
  }
}

function writeEntries(file: string, entries: Record<string, Entry>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let pending = `${JSON.stringify({ format: FORMAT })}\n`;
    for (const [location, entry] of Object.entries(entries)) {
      pending += `${JSON.stringify({ location, entry })}\n`;
      if (pending.length > 1 << 20) {
        writeSync(fd, pending);
        pending = '';
      }
    }
    writeSync(fd, pending);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
