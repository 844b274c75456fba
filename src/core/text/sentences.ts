/**
 * Sentence segmentation for quoting. ICU's sentence segmenter (`Intl.Segmenter`, built into Node) already keeps
 * decimals ("12.50", "3.7"), versions ("2.1") and a period followed by a digit or a lower-case word ("Oct. 1",
 * "e.g. the") inside the sentence. It still breaks after an abbreviation followed by a capitalised word
 * ("Dr. Smith", "the U.S. Forest Service") and after a list number ("1. "): the guards below merge those back.
 * A regex split on `[.!?]` quoted "A night costs 12.50 dollars" as "50 dollars" and "until Oct. 1" as "until Oct.".
 */

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * Words that end in a period without ending a sentence when a capitalised word follows. Lower-case, without the
 * period. Kept short on purpose: "etc." and "Inc." often do end a sentence, and a wrong merge only makes one
 * quote longer, while a wrong split quotes half a sentence.
 */
const ABBREVIATIONS = new Set([
  'dr', 'mr', 'mrs', 'ms', 'prof', 'sr', 'jr', 'st', 'mt', 'ft', 'no', 'nos', 'fig', 'figs', 'eq', 'sec', 'ch',
  'vol', 'vols', 'p', 'pp', 'cf', 'vs', 'approx', 'ca', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep',
  'sept', 'oct', 'nov', 'dec', 'dept', 'gov', 'gen', 'lt', 'col', 'rep', 'sen', 'e.g', 'i.e', 'al',
]);

/** The sentences of one paragraph of prose, whitespace collapsed, in order. */
export function splitSentences(paragraph: string): string[] {
  const text = paragraph.replace(/\s+/g, ' ').trim();
  if (!text) return [];
  const out: string[] = [];
  for (const { segment } of segmenter.segment(text)) {
    const s = segment.trim();
    if (!s) continue;
    const prev = out.at(-1);
    if (prev !== undefined && continuesSentence(prev, s)) out[out.length - 1] = `${prev} ${s}`;
    else out.push(s);
  }
  return out;
}

/** True when `next` belongs to the same sentence as `prev` (a false break after an abbreviation or a list number). */
function continuesSentence(prev: string, next: string): boolean {
  // A list or section number alone ("1.", "2.3.", "a)"), or a period inside a code-ish token the segmenter broke.
  if (/^(?:\d{1,3}(?:\.\d{1,3})*\.?|[a-z]\)|\(?[ivx]{1,4}\))$/i.test(prev)) return true;
  if (/^[a-z0-9(]/.test(next)) return true;
  const last = /(\S+)\.$/.exec(prev)?.[1];
  if (!last) return false;
  const word = last.replace(/^[("'[]+/, '').toLowerCase();
  // Initials and dotted abbreviations: "U.S.", "J.", "U.S.D.A."
  if (/^(?:[a-z]\.)*[a-z]$/.test(word)) return true;
  return ABBREVIATIONS.has(word);
}
