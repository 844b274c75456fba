/**
 * Limits on reading and parsing sources, in the units the loaders use, and their defaults. The defaults match
 * config/default.yaml (a test checks that), so a caller that passes no limits (a test, a script) gets the same
 * protection as the configured bot.
 */
import type { LoadContext, ParseLimits } from './loaders/loader.js';

/** Reading a local file normally takes milliseconds; this only stops a hung network mount from hanging a run. */
export const DEFAULT_READ_TIMEOUT_MS = 30_000;

export const DEFAULT_PARSE_LIMITS: Readonly<ParseLimits> = Object.freeze({
  // A 3,000-page manual parses in ~10 s here; 2 min leaves room for a slow, busy machine.
  timeoutMs: 120_000,
  // Process growth while one file parses. pdf.js keeps a decoded stream whole (a flate bomb inflates into one
  // buffer), and a 50 MB JSON feed parses into a few hundred MB of objects.
  maxMemoryMb: 512,
  // pdf.js takes ~3 ms a page; 5,000 pages is ~15 s and covers the longest real manuals.
  maxPdfPages: 5_000,
});

/** The loader section of the config (config/schema.ts), as plain numbers. */
export interface LoaderConfig {
  maxFileMb: number;
  fetchTimeoutMs: number;
  readTimeoutMs: number;
  parseTimeoutMs: number;
  parseMaxMemoryMb: number;
  pdfMaxPages: number;
}

/** Config → the limits part of a LoadContext (what `runIndex({ loader })` takes). */
export function loaderLimits(c: LoaderConfig): Required<Pick<LoadContext, 'maxFileBytes' | 'fetchTimeoutMs' | 'readTimeoutMs' | 'parse'>> {
  return {
    maxFileBytes: c.maxFileMb * 2 ** 20,
    fetchTimeoutMs: c.fetchTimeoutMs,
    readTimeoutMs: c.readTimeoutMs,
    parse: { timeoutMs: c.parseTimeoutMs, maxMemoryMb: c.parseMaxMemoryMb, maxPdfPages: c.pdfMaxPages },
  };
}

/** "2 min", "45 s", "1.5 s": how a time limit reads in a skip reason. */
export function formatDuration(ms: number): string {
  if (ms >= 120_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

// Skip reasons name the setting that raises the limit, like overLimitReason (loaders/size-limit.ts) does.

export function pageLimitReason(pages: number, maxPages: number): string {
  return `PDF has ${pages.toLocaleString('en-US')} pages, over the ${maxPages.toLocaleString('en-US')}-page limit (LOADER_PDF_MAX_PAGES)`;
}

export function parseTimeReason(timeoutMs: number): string {
  return `parsing took longer than the ${formatDuration(timeoutMs)} limit (LOADER_PARSE_TIMEOUT_MS)`;
}

export function parseMemoryReason(maxMemoryMb: number): string {
  return `parsing needed more than the ${maxMemoryMb} MB memory limit (LOADER_PARSE_MAX_MEMORY_MB): a compression bomb, or a file too big for the limit`;
}

export function readTimeReason(timeoutMs: number): string {
  return `reading took longer than the ${formatDuration(timeoutMs)} limit (LOADER_READ_TIMEOUT_MS)`;
}
