import type { DocumentRecord } from '../../core/types.js';

/** One loadable thing inside a source: a file or a URL. */
export interface SourceItem {
  /** Absolute file path or http(s) URL. */
  location: string;
  /** POSIX path relative to the source root; for a URL the URL itself. */
  relPath: string;
  /** The source as configured. */
  sourceRoot: string;
  /** Bytes; -1 if unknown (URL). */
  size: number;
  /** -1 for URLs. */
  mtimeMs: number;
}

/** Why a file or URL was not indexed; collected into the run summary. */
export interface SkippedItem {
  location: string;
  reason: string;
}

/**
 * Bounds on parsing one file or download, which runs in a worker thread (parse-pool.ts). A file over one of
 * them is skipped with a reason that names the setting, so one hostile or huge file cannot stall or exhaust
 * the serving process.
 */
export interface ParseLimits {
  /** Wall-clock time for one parse, start of the worker task to its result. */
  timeoutMs: number;
  /** How much the process may grow while one file is parsed (heap, buffers, everything), in MB. */
  maxMemoryMb: number;
  /** PDFs with more pages than this are skipped before their text is extracted. */
  maxPdfPages: number;
}

/** Limits and hooks every loader honours. */
export interface LoadContext {
  /** Files (and downloads) larger than this are skipped with a reason. */
  maxFileBytes: number;
  /** Timeout for reading one local file (a hung network mount must not hang a run); default in loader-limits.ts. */
  readTimeoutMs?: number;
  /** Parsing bounds; the defaults in loader-limits.ts apply when absent. */
  parse?: ParseLimits;
  /** Called for every item that is skipped; loading continues. */
  onSkip(item: SkippedItem): void;
  /** Timeout for http(s) fetches. */
  fetchTimeoutMs: number;
  /**
   * The last good copy of a URL source and its HTTP validators, for a conditional request: on 304 the loader
   * returns these documents instead of downloading again.
   */
  previous?: (location: string) => { validators: { etag?: string; lastModified?: string }; docs: DocumentRecord[] } | undefined;
  /** Told the validators of a fresh download, to keep for the next conditional request. */
  onValidators?: (location: string, validators: { etag?: string; lastModified?: string }) => void;
}

/**
 * The bytes of one file or download plus where they came from. `absPath` and `mtime` are null for downloads
 * (then `url` is set); the original file-only shape still type-checks, so callers that build it keep working.
 */
export interface LoaderInput {
  /** Absolute file path; null when the bytes were downloaded. */
  absPath: string | null;
  /** POSIX path relative to the source root; for a download, the URL itself. */
  relPath: string;
  sourceRoot: string;
  bytes: Buffer;
  /** File modification time, or the download's Last-Modified; null when unknown. */
  mtime: Date | null;
  /** The http(s) URL the bytes were fetched from (after redirects), when they were downloaded. */
  url?: string | null;
  /** Charset from a download's Content-Type header, used when decoding text. */
  charset?: string | null;
}

/**
 * Turns one file's bytes into documents. `relPath` is POSIX, relative to the source root.
 * A loader throws `LoadError` when the whole input is unusable; it reports skipped parts of an input
 * (one bad dataset in a feed) through `ctx.onSkip` and carries on.
 */
export interface FileLoader {
  /** Lower-case extensions (with dot) this loader claims, e.g. ['.pdf']. */
  readonly extensions: string[];
  load(file: LoaderInput, ctx?: Pick<LoadContext, 'onSkip' | 'parse'>): Promise<DocumentRecord[]>;
}
