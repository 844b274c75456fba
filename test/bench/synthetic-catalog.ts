/**
 * A synthetic DCAT-US catalog of any size for the search-at-scale benchmark. Records recombine the real USFS
 * feed's vocabulary (title words, description sentences, keywords) with a seeded PRNG, so the text has the
 * catalog's word statistics — what BM25 and the embedder see — without being a copy of any real record, and
 * every run builds the same catalog. Feeds are split into files of `perFile` records (the loader's file-size
 * limit stays meaningful, and indexing can batch per file as it does for real folders).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../helpers/seeded-random.js';

interface Vocabulary { titleWords: string[]; sentences: string[]; keywords: string[] }

function vocabularyFrom(feedPath: string): Vocabulary {
  const feed = JSON.parse(readFileSync(feedPath, 'utf8')) as { dataset: Array<{ title?: string; description?: string; keyword?: string[] }> };
  const titleWords = new Set<string>();
  const sentences = new Set<string>();
  const keywords = new Set<string>();
  for (const d of feed.dataset) {
    for (const w of (d.title ?? '').split(/\s+/)) if (/^[A-Za-z][A-Za-z-]{2,}$/.test(w)) titleWords.add(w);
    const plain = (d.description ?? '').replace(/<[^>]*>/g, ' ').replace(/&[a-z]+;/g, ' ').replace(/\s+/g, ' ');
    for (const s of plain.split(/(?<=[.!?])\s+/)) if (s.length > 40 && s.length < 400) sentences.add(s.trim());
    for (const k of d.keyword ?? []) keywords.add(k);
  }
  return { titleWords: [...titleWords], sentences: [...sentences], keywords: [...keywords] };
}

/**
 * Writes `records` synthetic datasets as DCAT feeds under `dir` and returns the feed file paths.
 * Each record is a title of 3–6 words, a description of 2–5 sentences and 3–6 keywords: one chunk each.
 */
export function writeSyntheticCatalog(opts: { sourceFeed: string; dir: string; records: number; perFile?: number; seed?: number }): string[] {
  const vocab = vocabularyFrom(opts.sourceFeed);
  const rand = seededRandom(opts.seed ?? 42);
  const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)]!;
  const some = <T>(list: T[], min: number, max: number): T[] => Array.from({ length: min + Math.floor(rand() * (max - min + 1)) }, () => pick(list));
  const perFile = opts.perFile ?? 5000;
  mkdirSync(opts.dir, { recursive: true });
  const files: string[] = [];
  for (let start = 0; start < opts.records; start += perFile) {
    const dataset = [];
    for (let i = start; i < Math.min(opts.records, start + perFile); i++) {
      dataset.push({
        '@type': 'dcat:Dataset',
        identifier: `https://example.org/synthetic/${i}`,
        title: `${some(vocab.titleWords, 3, 6).join(' ')} ${i}`,
        description: some(vocab.sentences, 2, 5).join(' '),
        keyword: some(vocab.keywords, 3, 6),
        modified: `20${10 + (i % 15)}-0${1 + (i % 9)}-1${i % 10}`,
        publisher: { '@type': 'org:Organization', name: 'Synthetic Catalog' },
        accessLevel: 'public',
      });
    }
    const file = path.join(opts.dir, `synthetic-${String(files.length).padStart(3, '0')}.json`);
    writeFileSync(file, JSON.stringify({ '@type': 'dcat:Catalog', conformsTo: 'https://project-open-data.cio.gov/v1.1/schema', dataset }));
    files.push(file);
  }
  return files;
}

/**
 * Revises `count` records of the catalog in place (their descriptions gain a sentence naming `round`), spread
 * over the feed files from the first on: a reindex then sees that many changed documents and nothing else.
 */
export function reviseRecords(files: string[], count: number, round: number): void {
  let left = count;
  for (const file of files) {
    if (left <= 0) return;
    const feed = JSON.parse(readFileSync(file, 'utf8')) as { dataset: Array<{ description: string }> };
    for (const d of feed.dataset.slice(0, left)) d.description += ` Revised in round ${round}.`;
    left -= Math.min(left, feed.dataset.length);
    writeFileSync(file, JSON.stringify(feed));
  }
}
