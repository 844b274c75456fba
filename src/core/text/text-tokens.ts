import { stemmer } from 'stemmer';

/**
 * Docent's two analyzers. `terms` (with `words`, `stem`) serves the lexical embedder, the lexical reranker, the
 * not-found gate and follow-up detection, so a word is the same term across them: it lower-cases, splits on
 * anything that is not a letter or digit ("S_USA.Actv_TimberHarvest" gives "s", "usa", "actv", "timber",
 * "harvest"), splits camelCase, drops stop words and stems (Porter) so "harvests" finds "harvest". The keyword
 * index uses `keywordTerms` instead — a different recipe on purpose, see there.
 */

const STOP_WORDS = new Set(
  (
    'a an and are as at be but by for from has have how i if in into is it its of on or that the their there ' +
    'these this those to was were what when where which who why will with you your do does did can could ' +
    'should would about any all also am me my we our us they them he she his her than then so such not no ' +
    'there here show find give get want need tell please some'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}]+/gu;
const CAMEL = /([\p{Ll}\p{N}])(\p{Lu})/gu;

/** Raw words, lower-cased, camelCase split; no stemming, stop words kept. */
export function words(text: string): string[] {
  const out: string[] = [];
  const spaced = text.replace(CAMEL, '$1 $2');
  for (const m of spaced.matchAll(WORD)) out.push(m[0].toLowerCase());
  return out;
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** Index terms: words without stop words, stemmed. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    if (STOP_WORDS.has(w)) continue;
    out.push(stem(w));
  }
  return out;
}

/** Porter stem of one lower-case word; digits and very short words are kept as they are. */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  return stemmer(word);
}

/**
 * The keyword index's analyzer, separate from `terms` on purpose: the textbook BM25 recipe (Lucene's
 * EnglishAnalyzer, near enough) — lower-cased letter/digit runs, NLTK's English stop words, every word
 * Porter-stemmed, no camelCase split. Measured against `terms` (whole-document BM25, Lucene IDF, tuning
 * questions, MRR@10): USFS 0.660 vs 0.631, Python docs 0.495 vs 0.461, PDFs 0.674 vs 0.667, PostgreSQL 0.456
 * vs 0.497 — splitting camelCase and not stemming short words helped one corpus and cost the other three.
 */
export function keywordTerms(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(WORD)) if (!KEYWORD_STOP_WORDS.has(m[0])) out.push(stemmer(m[0]));
  return out;
}

/** NLTK's English stop words (the Snowball list plus contraction pieces), apostrophe forms left out. The eval's
 * reference BM25 keeps its own copy on purpose: it shares no code with what it measures. */
const KEYWORD_STOP_WORDS = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers ' +
    'herself it its itself they them their theirs themselves what which who whom this that these those am is are ' +
    'was were be been being have has had having do does did doing a an the and but if or because as until while ' +
    'of at by for with about against between into through during before after above below to from up down in ' +
    'out on off over under again further then once here there when where why how all any both each few more most ' +
    'other some such no nor not only own same so than too very s t can will just don should now d ll m o re ve y ' +
    'ain aren couldn didn doesn hadn hasn haven isn ma mightn mustn needn shan shouldn wasn weren won wouldn'
  ).split(' '),
);
