import { coverageRange, modifiedRange, normalizeKeyword } from '../core/filter.js';
import { RECORD_KINDS } from '../core/record-fields.js';
import type { Filter } from '../core/types.js';

/**
 * A Filter as an SQL condition on the keyword index's `chunks` table (alias `c`), with the same meaning as
 * `matchesFilter` in src/core/filter.ts (the contract every store shares): sources match the source root or
 * the full source id (root/id, never a bare id), keywords match case-insensitively and exactly, date bounds are inclusive and a chunk without
 * a date fails any date bound, and `coverage` reads the record period columns the writer filled from the same
 * `recordPeriod` (NULL start and end: no period). Returns null for "no condition".
 */
export function filterToSql(filter: Filter | undefined): { sql: string; params: Array<string | number> } | null {
  if (!filter) return null;
  const parts: string[] = [];
  const params: Array<string | number> = [];
  const sources = filter.sources ?? [];
  if (sources.length > 0) {
    const marks = sources.map(() => '?').join(',');
    // The full source id, built exactly as fullSourceId does (trailing slashes of the root dropped, one `/`).
    parts.push(`(c.source_root IN (${marks}) OR (rtrim(c.source_root, '/') || '/' || c.source_id) IN (${marks}))`);
    params.push(...sources, ...sources);
  }
  const kinds = filter.kinds ?? [];
  if (kinds.length > 0) {
    parts.push(`c.kind IN (${kinds.map(() => '?').join(',')})`);
    params.push(...kinds);
  }
  const keyword = filter.keyword === undefined ? '' : normalizeKeyword(filter.keyword);
  if (keyword !== '') {
    parts.push('EXISTS (SELECT 1 FROM chunk_keywords k WHERE k.chunk = c.rowid AND k.keyword = ?)');
    params.push(keyword);
  }
  const { from, to } = modifiedRange(filter);
  if (from !== undefined) {
    parts.push('c.modified_ts >= ?');
    params.push(from);
  }
  if (to !== undefined) {
    parts.push('c.modified_ts <= ?');
    params.push(to);
  }
  const coverage = coverageRange(filter);
  if (coverage) {
    // Open ends are stored and bound as ±OPEN_END, so plain comparisons cover them.
    parts.push(`(c.kind NOT IN (${RECORD_KINDS.map(() => '?').join(',')})
      OR (c.period_start IS NOT NULL AND c.period_start <= ? AND c.period_end >= ?)
      OR (c.period_start IS NULL AND c.modified_ts >= ? AND c.modified_ts <= ?))`);
    params.push(...RECORD_KINDS, coverage.to, coverage.from, coverage.from, coverage.to);
  }
  return parts.length === 0 ? null : { sql: parts.join(' AND '), params };
}
