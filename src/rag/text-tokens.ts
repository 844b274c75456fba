import { stemmer } from 'stemmer';

/**
 * One tokenizer for the keyword index, the lexical embedder and the lexical reranker, so a word is the
 * same term everywhere. Lower-cases, splits on anything that is not a letter or digit (keeping
 * inner dots/underscores out: "S_USA.Actv_TimberHarvest" gives "s", "usa", "actv", "timberharvest"),
 * splits camelCase, drops stop words and stems (Porter) so "harvests" finds "harvest".
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
