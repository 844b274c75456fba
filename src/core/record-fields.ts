/**
 * The catalog-record fields that dataset cards and date filters read, in one place: the DCAT and FGDC loaders
 * write them (as flat strings, like every `DocumentRecord.fields` value), the keyword index stores them with each
 * chunk, and the answer builds cards from them. Keeping the encoding here means a loader and a reader cannot
 * drift apart.
 *
 * - `periodStart` / `periodEnd`: the record's time period (DCAT `temporal`, FGDC `timeperd`) as calendar dates of
 *   the precision the record gave: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. `periodEnd` may be `present` (an ongoing
 *   record). A missing side is unknown; both missing means the record states no period.
 * - `formats`: one format name per line (CSV, GeoJSON, GDB…), distinct, in record order.
 * - `downloads`: one `format<TAB>url` per line (see `encodeLinks`).
 * - `landingPage`, `publisher`, `issued`: plain strings.
 */
import type { DocumentKind } from './types.js';

/** Document kinds that are catalog records (a dataset described by metadata, not a text to read). */
export const RECORD_KINDS: readonly DocumentKind[] = ['dcat', 'fgdc'];

export function isCatalogRecord(kind: DocumentKind): boolean {
  return RECORD_KINDS.includes(kind);
}

/** The value `periodEnd` holds for a period that is still running. */
export const PRESENT = 'present';

/** A format name and the link to that form of the data. */
export interface RecordLink {
  format: string;
  url: string;
}

/** Links as field text: one `format<TAB>url` line each (tabs and newlines inside a value become spaces). */
export function encodeLinks(links: readonly RecordLink[]): string {
  const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
  return links
    .filter((l) => flat(l.url) !== '')
    .map((l) => `${flat(l.format)}\t${flat(l.url)}`)
    .join('\n');
}

/** The links `encodeLinks` wrote (a line without a tab is a bare URL). */
export function decodeLinks(text: string | undefined): RecordLink[] {
  if (!text) return [];
  return text.split('\n').flatMap((line) => {
    const tab = line.indexOf('\t');
    const format = tab < 0 ? '' : line.slice(0, tab).trim();
    const url = (tab < 0 ? line : line.slice(tab + 1)).trim();
    return url ? [{ format, url }] : [];
  });
}

/** Distinct non-empty lines (case-insensitive), in order. */
export function distinctLines(values: readonly string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values.map((s) => s.replace(/\s+/g, ' ').trim())) {
    if (v === '' || seen.has(v.toLowerCase())) continue;
    seen.add(v.toLowerCase());
    out.push(v);
  }
  return out.join('\n');
}

const PRESENT_WORDS = /^(present|current|now|ongoing|continuing|to present|till present|until present)$/i;

/** True for the words catalogs use for an open end ("Present", "ongoing", FGDC's "present"). */
export function isPresentWord(raw: string): boolean {
  return PRESENT_WORDS.test(raw.trim());
}

/**
 * A catalog date as a calendar date of the precision it was given: "20150301" / "2015-03-01" / an ISO
 * timestamp → "2015-03-01", "201503" / "2015-03" → "2015-03", "2015" → "2015". "Unknown", "present",
 * impossible dates (2015-13-40) and anything else → null.
 */
export function calendarDate(raw: string | null | undefined): string | null {
  const v = raw?.trim() ?? '';
  let m = /^(\d{4})-?(\d{2})-?(\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(v);
  if (m) return valid(m[1]!, m[2]!, m[3]!);
  m = /^(\d{4})-?(\d{2})$/.exec(v);
  if (m) return valid(m[1]!, m[2]!, '01') && `${m[1]}-${m[2]}`;
  m = /^(\d{4})$/.exec(v);
  return m ? m[1]! : null;
}

function valid(y: string, mo: string, d: string): string | null {
  const iso = `${y}-${mo}-${d}`;
  const t = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(iso) ? iso : null;
}

/** Normalised period fields (either may be empty: unknown). */
export interface PeriodFields {
  periodStart: string;
  periodEnd: string;
}

/** A begin/end pair as written in a record (FGDC rngdates, a DCAT interval). */
export function periodFromRange(begin: string, end: string): PeriodFields {
  return { periodStart: calendarDate(begin) ?? '', periodEnd: isPresentWord(end) ? PRESENT : calendarDate(end) ?? '' };
}

/** Single dates (FGDC sngdate / mdattim): the period runs from the earliest to the latest; "present" opens it. */
export function periodFromDates(dates: readonly string[]): PeriodFields {
  const days = dates.map((d) => calendarDate(d)).filter((d): d is string => d !== null);
  const open = dates.some(isPresentWord);
  // A lone "Present" says the data is current, not what it covers: no period (the modified date decides).
  if (days.length === 0) return { periodStart: '', periodEnd: '' };
  // Same-precision ISO dates sort as text; mixed precision ("2015" vs "2015-06-01") compares by its prefix, fine.
  const sorted = [...days].sort();
  return { periodStart: sorted[0]!, periodEnd: open ? PRESENT : sorted.at(-1)! };
}

/**
 * DCAT-US `temporal`: an ISO 8601 interval "start/end", where end may be a duration ("2010-01-01/P5Y") and the
 * whole may be a repeating interval ("R/2010-01-01/P1Y"). Durations of years, months, weeks and days are
 * added; a duration with finer units only, or a repeating interval, leaves the end unknown (open).
 */
export function periodFromTemporal(temporal: string): PeriodFields {
  const parts = temporal.trim().split('/').map((p) => p.trim());
  const repeating = /^R\d*$/i.test(parts[0] ?? '');
  if (repeating) parts.shift();
  if (parts.length !== 2) return { periodStart: '', periodEnd: '' };
  const [a, b] = parts as [string, string];
  const isDuration = (p: string) => /^P[\dT]/i.test(p);
  if (isDuration(a)) return { periodStart: '', periodEnd: repeating ? '' : calendarDate(b) ?? '' };
  const start = calendarDate(a) ?? '';
  if (isDuration(b)) return { periodStart: start, periodEnd: repeating ? '' : addDuration(start, b) };
  return periodFromRange(a, b);
}

function addDuration(start: string, duration: string): string {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T.*)?$/i.exec(duration);
  if (!start || !m || (!m[1] && !m[2] && !m[3] && !m[4])) return '';
  const [y, mo = '01', d = '01'] = start.split('-');
  const t = new Date(Date.UTC(Number(y) + Number(m[1] ?? 0), Number(mo) - 1 + Number(m[2] ?? 0), Number(d) + 7 * Number(m[3] ?? 0) + Number(m[4] ?? 0)));
  return t.toISOString().slice(0, 10);
}

/** How a card shows a period: "2015-01-01 to 2020-12-31", "1984 to present", "2024-12-01", "from 2015", "until 2010". */
export function periodLabel(fields: Readonly<Record<string, string>>): string | null {
  const start = fields['periodStart'] ?? '';
  const end = fields['periodEnd'] ?? '';
  if (!start && !end) return null;
  if (!end) return `from ${start}`;
  if (!start) return end === PRESENT ? 'unknown start to present' : `until ${end}`;
  return start === end ? start : `${start} to ${end}`;
}
