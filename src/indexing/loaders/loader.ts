import type { DocumentRecord } from '../../core/types.js';

/** Why a file or URL was not indexed; collected into the run summary. */
export interface SkippedItem {
  location: string;
  reason: string;
}

/** Limits and hooks every loader honours. */
export interface LoadContext {
  /** Files (and downloads) larger than this are skipped with a reason. */
  maxFileBytes: number;
  /** Called for every item that is skipped; loading continues. */
  onSkip(item: SkippedItem): void;
  /** Timeout for http(s) fetches. */
  fetchTimeoutMs: number;
}

/** Turns one file's bytes into documents. `relPath` is POSIX, relative to the source root. */
export interface FileLoader {
  /** Lower-case extensions (with dot) this loader claims, e.g. ['.pdf']. */
  readonly extensions: string[];
  load(file: { absPath: string; relPath: string; sourceRoot: string; bytes: Buffer; mtime: Date }): Promise<DocumentRecord[]>;
}
