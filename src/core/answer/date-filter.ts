/**
 * Dates in a question ("since 2015", "before 1950", "between 2010 and 2015", "in the 1990s") become a filter on
 * catalog records' time coverage (Filter.coverage). Conservative on purpose: a date filter hides records, so a
 * number is a date only when a date word introduces it ("since", "before", "in"…) or it is a plain year range,
 * it is a plausible year (1700 to ten years from now), and no unit or count noun follows it ("in 2000 plots",
 * "since 1800 acres burned" are not dates). A bare year elsewhere ("elk 2015") stays an ordinary search word.
 */

/** Inclusive calendar bounds (`YYYY` or `YYYY-MM`); either side may be open. */
export interface DateRange {
  from?: string;
  to?: string;
}

export interface AskedDates {
  range: DateRange;
  /** The words that asked for the dates, as written ("since 2015"). */
  phrase: string;
  /** The question without them: what is searched (the dates are a filter, not words to match). */
  rest: string;
  /** What the answer states: "Records covering 2015 or later". */
  label: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** An optional month name before a year ("March 2015"); group: the month. */
const M = '(?:(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?\\s+)?';
/** A four-digit year not glued to other digits, decimals, ids or money ("RDS-2013-0009", "$2015", "2,015"). */
const Y = '(?<![\\d.,$#/-])(\\d{4})(?![\\d.,]\\d|%|\\d)';
/** The end year of a range, which may follow a dash directly ("2010-2015"). */
const Y_END = '(?<![\\d.,$#/])(\\d{4})(?![\\d.,]\\d|%|\\d)';
/** What a count is followed by: a year followed by one of these is a quantity. */
const UNIT = /^\s*(acres?|hectares?|ha|sq|square|km2?|kilomet(?:er|re)s?|miles?|mi|m|met(?:er|re)s?|ft|feet|plots?|sites?|records?|datasets?|points?|features?|polygons?|people|persons?|trees?|stations?|samples?|observations?|rows?|files?|layers?|pages?|units?|items?|times?|animals?|elk|deer|fish|species|percent|dollars?|usd)\b/i;
/** A date word that a trailing qualifier makes redundant ("from 1930 or earlier"), taken out with it. */
const LEAD = '(?:(?:from|in|since|of|for)\\s+)?';
const TO = '\\s*(?:-|–|—|to|through|thru|until|till|and|or)\\s*';

type Kind = 'range' | 'from' | 'after' | 'to' | 'before' | 'in' | 'decade';

/** Tried in order; the first that matches a plausible date wins (one date filter per question). */
const PATTERNS: Array<{ re: RegExp; kind: Kind }> = [
  // "in 2015 and 2016" asks for records covering either year: the span of both is as close as one range gets.
  { re: new RegExp(`\\b(?:between|from|in|during)\\s+(?:the\\s+years?\\s+)?${M}${Y}${TO}${M}${Y_END}\\b`, 'i'), kind: 'range' },
  { re: new RegExp(`\\b()${Y}\\s*(?:-|–|—|to|through|thru)\\s*()${Y_END}\\b`, 'i'), kind: 'range' },
  { re: new RegExp(`\\b(?:in\\s+|during\\s+)?the\\s+(1[7-9]\\d0|20\\d0)'?s\\b`, 'i'), kind: 'decade' },
  // A qualifier after the year decides ("from 1930 or earlier"), so these come before the date words alone.
  { re: new RegExp(`\\b${LEAD}${M}${Y}\\s*(?:\\+|or\\s+later|and\\s+later|or\\s+after|and\\s+after|onwards?|and\\s+beyond|(?:to|through|until)\\s+(?:the\\s+)?(?:present|now|today))`, 'i'), kind: 'from' },
  { re: new RegExp(`\\b${LEAD}${M}${Y}\\s*(?:or\\s+earlier|and\\s+earlier|or\\s+before|and\\s+before)`, 'i'), kind: 'to' },
  { re: new RegExp(`\\b(?:since|from|starting(?:\\s+(?:in|from))?|beginning(?:\\s+in)?)\\s+${M}${Y}\\b`, 'i'), kind: 'from' },
  { re: new RegExp(`\\b(?:after|post)\\s+${M}${Y}\\b`, 'i'), kind: 'after' },
  { re: new RegExp(`\\b(?:before|prior\\s+to|pre)\\s+${M}${Y}\\b`, 'i'), kind: 'before' },
  { re: new RegExp(`\\b(?:until|till|through|up\\s+to)\\s+${M}${Y}\\b`, 'i'), kind: 'to' },
  { re: new RegExp(`\\b(?:in|during|for)\\s+${M}${Y}\\b`, 'i'), kind: 'in' },
];

/**
 * The dates a question asks about, or null when it names none (see the top of this file for what counts).
 * `now` sets the latest plausible year (tests pin it).
 */
export function parseAskedDates(question: string, now: Date = new Date()): AskedDates | null {
  const maxYear = now.getUTCFullYear() + 10;
  const plausible = (y: string | undefined) => y !== undefined && Number(y) >= 1700 && Number(y) <= maxYear;
  for (const { re, kind } of PATTERNS) {
    const m = re.exec(question);
    if (!m) continue;
    if (UNIT.test(question.slice(m.index + m[0].length))) continue;
    const range = toRange(kind, m, plausible);
    if (!range) continue;
    const rest = question.slice(0, m.index) + question.slice(m.index + m[0].length);
    const cleaned = rest.replace(/\s+([?!.,;:])/g, '$1').replace(/\s+/g, ' ').trim();
    return { range, phrase: m[0].trim(), rest: /[\p{L}\p{N}]/u.test(cleaned) ? cleaned : question, label: labelOf(range) };
  }
  return null;
}

function toRange(kind: Kind, m: RegExpExecArray, plausible: (y: string | undefined) => boolean): DateRange | null {
  if (kind === 'decade') {
    const y = m[1]!;
    return plausible(y) ? { from: y, to: String(Number(y) + 9) } : null;
  }
  if (kind === 'range') {
    const [, m1, y1, m2, y2] = m;
    if (!plausible(y1) || !plausible(y2)) return null;
    const from = calendar(y1!, m1);
    // "from March 2010 to 2015": a bare end year is the whole year.
    const to = calendar(y2!, m2);
    return startOf(from) <= startOf(to) ? { from, to } : null;
  }
  const [, month, year] = m;
  if (!plausible(year)) return null;
  const at = calendar(year!, month);
  switch (kind) {
    case 'from':
      return { from: at };
    case 'after':
      return { from: shift(at, 1) };
    case 'before':
      return { to: shift(at, -1) };
    case 'to':
      return { to: at };
    default:
      return { from: at, to: at };
  }
}

/** "2015" or "2015-03" from a year and an optional month name. */
function calendar(year: string, month: string | undefined): string {
  if (!month) return year;
  const i = MONTHS.indexOf(month.slice(0, 3).toLowerCase());
  return `${year}-${String(i + 1).padStart(2, '0')}`;
}

/** The next (+1) or previous (−1) year or month: "after 2015" starts in 2016, "before March 2015" ends in February. */
function shift(at: string, by: 1 | -1): string {
  const [y, mo] = at.split('-').map(Number) as [number, number | undefined];
  if (mo === undefined) return String(y + by);
  const d = new Date(Date.UTC(y, mo - 1 + by, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function startOf(at: string): string {
  return at.length === 4 ? `${at}-01` : at;
}

/** "2015" → "2015", "2015-03" → "March 2015". */
export function spokenDate(at: string): string {
  const [y, mo] = at.split('-');
  return mo ? `${MONTH_NAMES[Number(mo) - 1]} ${y}` : y!;
}

/** The sentence the answer states for a range: "Records covering 2015 or later". */
export function labelOf(range: DateRange): string {
  const { from, to } = range;
  if (from && to) return from === to ? `Records covering ${spokenDate(from)}` : `Records covering ${spokenDate(from)} to ${spokenDate(to)}`;
  if (from) return `Records covering ${spokenDate(from)} or later`;
  return `Records covering ${spokenDate(to!)} or earlier`;
}
