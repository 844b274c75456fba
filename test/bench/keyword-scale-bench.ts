/**
 * `npm run bench`, keyword part: BM25 over the on-disk keyword index at 200,000 synthetic records (20,000 in
 * quick mode; DOCENT_KEYWORD_SCALE=1000000 for the million-record run), where every question is over the exact
 * budget and ranking goes through the champion lists (src/stores/champion-lists.ts). In the same run and on the
 * same file: FTS5's own `bm25() ORDER BY … LIMIT` (what large catalogs used before, and what a plain FTS5
 * search costs) as the baseline, and exact BM25 (every posting read) for fidelity: how many of the exact top 10
 * the index returns, and how often its best document is the exact best.
 */
import Database from 'libsql';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keywordTerms } from '../../src/core/text/text-tokens.js';
import { rankDocuments } from '../../src/stores/bm25-ranking.js';
import { readDocumentFrequencies } from '../../src/stores/champion-lists.js';
import { KeywordIndexWriter, openKeywordIndex } from '../../src/stores/sqlite-keyword-index.js';
import { quickMode } from './stats.js';
import { repoRoot } from './repo-root.js';
import { writeSyntheticCatalog } from './synthetic-catalog.js';

const repo = repoRoot(import.meta.dirname);
const records = Number(process.env.DOCENT_KEYWORD_SCALE) || (quickMode() ? 20_000 : 200_000);
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-keyword-bench-'));
const file = path.join(work, 'keyword.sqlite');

try {
  const files = writeSyntheticCatalog({ sourceFeed: path.resolve(repo, '../shared/catalogs/usfs/gdd/gdd_metadata.json'), dir: path.join(work, 'feeds'), records });
  const t0 = performance.now();
  const writer = new KeywordIndexWriter(file);
  for (const f of files) {
    const dataset = (JSON.parse(readFileSync(f, 'utf8')) as { dataset: Array<{ identifier: string; title: string; description: string; keyword: string[]; modified: string }> }).dataset;
    writer.addDocuments(dataset.map((d) => ({ sourceRoot: 'synthetic', sourceId: d.identifier, page: null, title: d.title, keywords: d.keyword, text: d.description })));
    writer.add(dataset.map((d) => ({
      id: d.identifier, sourceId: d.identifier, sourceRoot: 'synthetic', kind: 'dcat' as const, title: d.title, url: d.identifier, path: null, page: null,
      modified: d.modified, keywords: d.keyword, text: `${d.title}\n${d.description}\nKeywords: ${d.keyword.join(', ')}`, ordinal: 0, textHash: d.identifier,
    })));
  }
  const t1 = performance.now();
  writer.finish();
  const built = { add: (t1 - t0) / 1000, finish: (performance.now() - t1) / 1000, bytes: statSync(file).size };

  const questions = (JSON.parse(readFileSync(path.join(repo, 'test/eval/usfs-questions.json'), 'utf8')) as Array<{ question: string }>).map((q) => q.question);
  const index = openKeywordIndex(file);
  const db = new Database(file, { readonly: true });
  const documents = (db.prepare('SELECT count(*) AS n FROM docs_fts_docsize').get() as { n: number }).n;
  const fts5 = db.prepare('SELECT rowid, bm25(docs_fts) AS s FROM docs_fts WHERE docs_fts MATCH ? ORDER BY s LIMIT 50');
  const fts5Query = (q: string) => {
    const terms = [...new Set(keywordTerms(q))];
    const known = [...readDocumentFrequencies(db, terms).keys()];
    if (known.length > 0) fts5.all(known.map((t) => `"${t}"`).join(' OR '));
  };
  for (const q of questions.slice(0, 10)) { // warm the page cache for both
    index.query(q, 50);
    fts5Query(q);
  }
  const rankOnly = (q: string) => {
    const terms = keywordTerms(q);
    rankDocuments(db, terms, documents, readDocumentFrequencies(db, [...new Set(terms)]), 50);
  };
  const whole: number[] = [];
  const docent: number[] = [];
  const baseline: number[] = [];
  const time = (f: () => void, into: number[]) => {
    const s = performance.now();
    f();
    into.push(performance.now() - s);
  };
  for (let round = 0; round < (quickMode() ? 1 : 3); round++) {
    for (const q of questions) {
      time(() => index.query(q, 50), whole);
      time(() => rankOnly(q), docent);
      time(() => fts5Query(q), baseline);
    }
  }

  // Fidelity against exact BM25 (every posting read: seconds per question at 1M, so once per question).
  let overlap = 0;
  let sameBest = 0;
  let counted = 0;
  const exactMs: number[] = [];
  for (const q of questions) {
    const terms = keywordTerms(q);
    const df = readDocumentFrequencies(db, [...new Set(terms)]);
    const viaLists = rankDocuments(db, terms, documents, df, 10);
    const s = performance.now();
    const exact = rankDocuments(db, terms, documents, df, 10, undefined, Infinity);
    exactMs.push(performance.now() - s);
    if (exact.length === 0) continue;
    counted++;
    const top = new Set(exact.map((r) => r.doc));
    overlap += viaLists.filter((r) => top.has(r.doc)).length / exact.length;
    if (viaLists[0]?.doc === exact[0]!.doc) sameBest++;
  }
  index.close();
  db.close();

  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  console.log(`Keyword search alone at ${records.toLocaleString('en-US')} synthetic records (${questions.length} questions × ${docent.length / questions.length} rounds, in-process, warm page cache).\n`);
  console.log('| ranking the best 50 documents | Docent (champion lists) | FTS5 `bm25() ORDER BY … LIMIT 50` (baseline, same file) | ratio |');
  console.log('|---|---|---|---|');
  for (const [name, p] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]] as const) {
    console.log(`| ${name} | ${ms(pct(docent, p))} | ${ms(pct(baseline, p))} | ${(pct(docent, p) / pct(baseline, p)).toFixed(2)}× |`);
  }
  console.log(`| the whole keyword query (ranking + each document's best chunk, read whole), p50 / p95 / p99 | ${ms(pct(whole, 0.5))} / ${ms(pct(whole, 0.95))} / ${ms(pct(whole, 0.99))} | | |`);
  console.log(`| fidelity vs exact BM25 (every posting read; p50 ${ms(pct(exactMs, 0.5))} per question) | ${(overlap / counted).toFixed(3)} of the exact top 10; same best document for ${(sameBest / counted).toFixed(3)} of ${counted} questions | | |`);
  console.log(`| index build | documents and chunks ${built.add.toFixed(0)} s; optimise + term statistics ${built.finish.toFixed(0)} s; ${(built.bytes / 2 ** 20).toFixed(0)} MB | | |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
