import { existsSync, readFileSync } from 'node:fs';
import type { DocumentRecord } from '../core/types.js';
import { writeJsonAtomic } from './index-files.js';

interface Entry {
  size: number;
  mtimeMs: number;
  fetchedAt: string;
  docs: DocumentRecord[];
  /** HTTP validators of a URL source's last good download (for conditional requests). */
  validators?: { etag?: string; lastModified?: string };
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
    this.entries = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Entry>) : {};
  }

  /** Cached documents of a file whose size and mtime match; undefined for URLs (size −1) or changed files. */
  fresh(location: string, size: number, mtimeMs: number): DocumentRecord[] | undefined {
    const e = this.entries[location];
    if (!e || size < 0 || e.size !== size || e.mtimeMs !== mtimeMs) return undefined;
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
    this.entries[location] = { size, mtimeMs, fetchedAt: new Date().toISOString(), docs, ...(validators ? { validators } : {}) };
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
    writeJsonAtomic(this.file, kept);
  }
}
