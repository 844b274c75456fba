/**
 * Pure translation of Docent's `Filter` into a Chroma `where` clause, plus the small helpers (keyword
 * normalisation, date bounds) that every store must share so that all stores agree on what a filter means.
 *
 * Why keywords are boolean flag keys (`kw:<keyword>: true`) and not an array with `$contains`:
 * the chromadb 3.5 JS client accepts array metadata (`string[]`) and `$contains` on it, but the Chroma
 * server it runs here (chromadb-js-bindings 1.0.5 → server "1.0.0", pinned for glibc 2.36) rejects array
 * metadata ("data did not match any variant of untagged enum UpdateMetadataValue") and rejects `$contains`
 * on a string field ("Invalid where clause"). Flag keys work on every Chroma 1.x server and are exact matches.
 */
import type { Where } from 'chromadb';
import { DocentError } from '../core/errors.js';
import type { Filter } from '../core/types.js';

/** Prefix of the per-keyword boolean metadata keys. */
export const KEYWORD_FLAG_PREFIX = 'kw:';

/** Keywords match case-insensitively and ignore surrounding space (and Unicode composition differences). */
export function normalizeKeyword(keyword: string): string {
  return keyword.normalize('NFC').trim().toLowerCase();
}

/** The metadata key that marks a chunk as carrying `keyword`. */
export function keywordFlagKey(keyword: string): string {
  return KEYWORD_FLAG_PREFIX + normalizeKeyword(keyword);
}

const DATE_ONLY = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/**
 * Epoch seconds for an ISO date used as a filter bound. Filter bounds are inclusive by calendar unit: a
 * date-only `modifiedBefore` of `2024-03-01` (or `2024-03`, `2024`) includes that whole day (month, year)
 * in UTC; a full timestamp is taken as is. Throws a user error for anything that is not a date.
 */
export function boundToEpochSeconds(iso: string, side: 'start' | 'end'): number {
  const m = DATE_ONLY.exec(iso.trim());
  if (m) {
    const y = Number(m[1]);
    const mo = m[2] === undefined ? undefined : Number(m[2]) - 1;
    const d = m[3] === undefined ? undefined : Number(m[3]);
    const start = Date.UTC(y, mo ?? 0, d ?? 1);
    if (side === 'start') return Math.floor(start / 1000);
    // First instant of the next day / month / year, minus one second.
    const next =
      d !== undefined ? Date.UTC(y, mo ?? 0, d + 1) : mo !== undefined ? Date.UTC(y, mo + 1, 1) : Date.UTC(y + 1, 0, 1);
    return Math.floor(next / 1000) - 1;
  }
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    throw new DocentError('filter_invalid', 'user', `"${iso}" is not a date.`, {
      hint: 'Use an ISO date such as 2024-03-01 or 2024-03-01T12:00:00Z.',
    });
  }
  return Math.floor(ms / 1000);
}

/** Epoch seconds of a chunk's `modified` value, or undefined when it is missing or not a date. */
export function modifiedToEpochSeconds(modified: string | null): number | undefined {
  if (modified === null || modified.trim() === '') return undefined;
  const ms = Date.parse(modified);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** The inclusive epoch-second range a filter puts on `modified` (either side may be open). */
export function modifiedRange(filter: Filter | undefined): { from?: number; to?: number } {
  const range: { from?: number; to?: number } = {};
  if (filter?.modifiedAfter !== undefined && filter.modifiedAfter !== '') {
    range.from = boundToEpochSeconds(filter.modifiedAfter, 'start');
  }
  if (filter?.modifiedBefore !== undefined && filter.modifiedBefore !== '') {
    range.to = boundToEpochSeconds(filter.modifiedBefore, 'end');
  }
  return range;
}

/**
 * Chroma `where` for a filter, or undefined when the filter constrains nothing. Empty lists mean "no
 * constraint" (a UI that sends `sources: []` means "all sources", not "none"). Conditions are ANDed; `$and`
 * and `$or` are only used with two or more operands because Chroma rejects single-element ones.
 */
export function filterToWhere(filter: Filter | undefined): Where | undefined {
  if (!filter) return undefined;
  const conditions: Where[] = [];

  const sources = unique(filter.sources ?? []);
  if (sources.length > 0) {
    conditions.push({ $or: [{ sourceRoot: { $in: sources } }, { sourceId: { $in: sources } }] });
  }
  const kinds = unique(filter.kinds ?? []);
  if (kinds.length > 0) {
    conditions.push({ kind: { $in: kinds } });
  }
  if (filter.keyword !== undefined && normalizeKeyword(filter.keyword) !== '') {
    conditions.push({ [keywordFlagKey(filter.keyword)]: { $eq: true } });
  }
  const { from, to } = modifiedRange(filter);
  // Chunks without a parseable `modified` have no modifiedTs key, so any date bound excludes them.
  if (from !== undefined) conditions.push({ modifiedTs: { $gte: from } });
  if (to !== undefined) conditions.push({ modifiedTs: { $lte: to } });

  if (conditions.length === 0) return undefined;
  if (conditions.length === 1) return conditions[0];
  return { $and: conditions };
}

/** Where clause selecting every chunk of one source (by root or by id). */
export function sourceWhere(source: string): Where {
  return { $or: [{ sourceRoot: { $eq: source } }, { sourceId: { $eq: source } }] };
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
