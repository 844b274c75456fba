import { DocentError } from './errors.js';
import { isCatalogRecord, PRESENT } from './record-fields.js';
import type { Chunk, Filter } from './types.js';

/**
 * What a Filter means, in one place: the keyword index and the memory store evaluate it with
 * `matchesFilter`, and the Chroma translation (src/stores/chroma-filter.ts) uses the same normalisation and
 * date bounds, so every store agrees.
 */

/** Keywords match case-insensitively and ignore surrounding space (and Unicode composition differences). */
export function normalizeKeyword(keyword: string): string {
  return keyword.normalize('NFC').trim().toLowerCase();
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
 * Stand-in for an open end of a period or a range, in epoch seconds: the limit of a JS Date (±8.64e12 s), far
 * beyond any real date and exact in SQLite's 64-bit integers.
 */
export const OPEN_END = 8_640_000_000_000;

/** The inclusive epoch-second range of `filter.coverage` (open sides at ±OPEN_END), or undefined for none. */
export function coverageRange(filter: Filter | undefined): { from: number; to: number } | undefined {
  const c = filter?.coverage;
  const from = c?.from ? boundToEpochSeconds(c.from, 'start') : undefined;
  const to = c?.to ? boundToEpochSeconds(c.to, 'end') : undefined;
  if (from === undefined && to === undefined) return undefined;
  return { from: from ?? -OPEN_END, to: to ?? OPEN_END };
}

/**
 * A record's time period in epoch seconds (an unknown start, an unknown end or "present" open at ±OPEN_END), or
 * null when its fields state no period. Backwards periods are read forwards.
 */
export function recordPeriod(fields: Readonly<Record<string, string>> | undefined): { start: number; end: number } | null {
  const start = fields?.['periodStart'] ?? '';
  const end = fields?.['periodEnd'] ?? '';
  if (!start && !end) return null;
  try {
    const s = start ? boundToEpochSeconds(start, 'start') : -OPEN_END;
    const e = end && end !== PRESENT ? boundToEpochSeconds(end, 'end') : OPEN_END;
    return s <= e ? { start: s, end: e } : { start: boundToEpochSeconds(end, 'start'), end: boundToEpochSeconds(start, 'end') };
  } catch {
    // A field the loader did not normalise (an index built by other code): no usable period.
    return null;
  }
}

/** The `coverage` condition for one chunk (see Filter.coverage). */
function coverageMatches(chunk: Chunk, range: { from: number; to: number }): boolean {
  if (!isCatalogRecord(chunk.kind)) return true;
  const period = recordPeriod(chunk.fields);
  if (period) return period.start <= range.to && period.end >= range.from;
  const ts = modifiedToEpochSeconds(chunk.modified);
  return ts !== undefined && ts >= range.from && ts <= range.to;
}

/** The filter without `coverage`: what a vector store is asked to apply (see Filter.coverage). */
export function withoutCoverage(filter: Filter | undefined): Filter | undefined {
  if (!filter?.coverage) return filter;
  const { coverage: _dropped, ...rest } = filter;
  return rest;
}

/**
 * A document's full source id: its source root and its id within that root, joined by one `/`
 * (`data/pdfs` + `reports/2020.pdf` → `data/pdfs/reports/2020.pdf`; a catalog record: `<catalog source>/<identifier>`).
 * Trailing slashes of the root are dropped, so `data/pdfs/` names the same documents. Filter.sources entries are
 * matched against the root and this id, whole: a bare `report.pdf` names no document, so a scope can never reach
 * a same-named file in another source. keyword-filter-sql.ts builds the same string in SQL.
 */
export function fullSourceId(sourceRoot: string, sourceId: string): string {
  return `${sourceRoot.replace(/\/+$/, '')}/${sourceId}`;
}

/**
 * Every (root, id) pair whose fullSourceId is `entry`: how a store that cannot concatenate fields (Chroma) tests a
 * full source id exactly. Each `/` in the entry may be the one between root and id; a root may also have been
 * written with its trailing slash. Pairs whose full id would not be the entry again are left out.
 */
export function sourceIdSplits(entry: string): Array<{ root: string; id: string }> {
  const out: Array<{ root: string; id: string }> = [];
  for (let i = entry.indexOf('/'); i >= 0; i = entry.indexOf('/', i + 1)) {
    const root = entry.slice(0, i);
    const id = entry.slice(i + 1);
    for (const r of [root, `${root}/`]) if (r !== '' && fullSourceId(r, id) === entry) out.push({ root: r, id });
  }
  return out;
}

/** True when one of `sources` is the chunk's source root or its full source id (see fullSourceId). */
export function matchesSources(chunk: Pick<Chunk, 'sourceRoot' | 'sourceId'>, sources: readonly string[]): boolean {
  return sources.includes(chunk.sourceRoot) || sources.includes(fullSourceId(chunk.sourceRoot, chunk.sourceId));
}

/** True when `chunk` satisfies every condition of `filter` (the semantics every store must share). */
export function matchesFilter(chunk: Chunk, filter: Filter | undefined): boolean {
  if (!filter) return true;
  const sources = filter.sources ?? [];
  if (sources.length > 0 && !matchesSources(chunk, sources)) return false;
  const kinds = filter.kinds ?? [];
  if (kinds.length > 0 && !kinds.includes(chunk.kind)) return false;
  if (filter.keyword !== undefined) {
    const wanted = normalizeKeyword(filter.keyword);
    if (wanted !== '' && !chunk.keywords.some((k) => normalizeKeyword(k) === wanted)) return false;
  }
  const { from, to } = modifiedRange(filter);
  if (from !== undefined || to !== undefined) {
    const ts = modifiedToEpochSeconds(chunk.modified);
    if (ts === undefined) return false;
    if (from !== undefined && ts < from) return false;
    if (to !== undefined && ts > to) return false;
  }
  const coverage = coverageRange(filter);
  return coverage === undefined || coverageMatches(chunk, coverage);
}
