import { fnv1a } from '../../core/hash.js';
import { terms } from '../../core/text/text-tokens.js';
import type { Embedder } from '../../core/ports/embedder.js';
import { normalize } from './vectors.js';

/**
 * The embedder that needs nothing at all: feature hashing ("hashing trick") of stemmed words, word bigrams and
 * character trigrams into a fixed number of signed buckets. It is purely lexical — it knows that "harvests"
 * and "harvest" match (stemming) and tolerates typos a little (trigrams), but not that "logging" means
 * "timber harvest". Used as the last resort and in tests, where it is deterministic and instant.
 */
export function createHashEmbedder(dimension = 512): Embedder {
  const embed = (text: string) => hashVector(text, dimension);
  return {
    id: `hash:v1-${dimension}`,
    dimension,
    embedDocuments: async (texts) => texts.map(embed),
    embedQuery: async (text) => embed(text),
  };
}

export function hashVector(text: string, dimension: number): number[] {
  const v = new Array<number>(dimension).fill(0);
  const counts = new Map<string, number>();
  const add = (feature: string, weight: number) => counts.set(feature, (counts.get(feature) ?? 0) + weight);
  const ts = terms(text);
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    add(`w:${t}`, 1);
    if (i + 1 < ts.length) add(`b:${t} ${ts[i + 1]}`, 0.5);
    const padded = ` ${t} `;
    for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.25);
  }
  for (const [feature, count] of counts) {
    const h = fnv1a(feature);
    // Sublinear tf so a long PDF page is not dominated by one repeated word; the sign bit halves collisions' bias.
    const weight = (1 + Math.log(count)) * (h & 0x80000000 ? -1 : 1);
    const idx = (h & 0x7fffffff) % dimension;
    v[idx] = v[idx]! + weight;
  }
  return normalize(v);
}
