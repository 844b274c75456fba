/**
 * The labelled corpora `npm run eval` runs over: where each one's documents are, how its questions are read,
 * and how a result is matched against its gold list. Questions arrive in three formats (JSON with styles,
 * a TSV of file names, JSON with held-out flags); they all become one `EvalQuestion` shape here.
 *
 * Held out of tuning: whoever changes retrieval settings looks at the tuning questions only and reads the
 * held-out ones once, at the end, to see whether a gain carries over. For pdfs and python-docs the question
 * files mark them (`heldOut: true`). USFS and pgdocs files have no such flag, so the lists are fixed here —
 * every 5th question (USFS q05, q10 … q100: 20 of 103; pgdocs pg05 … pg30: 6 of 30). They are frozen lists,
 * not a rule, so adding questions later cannot move a question between the two sets. Caveat for USFS: the
 * settings tuned before this split (RRF k for the reranker, the common-term cutoff) saw all 103.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DocumentRecord } from '../../src/core/types.js';
import { listSourceItems, loadSourceItem, type LoadContext } from '../../src/indexing/sources.js';

export interface EvalQuestion {
  id: string;
  question: string;
  /** Gold keys: sourceIds, or `sourceId#page` for page-level corpora. Any one of them found counts. */
  relevant: ReadonlySet<string>;
  heldOut: boolean;
  /** USFS only: phrased in a user's own words or in the records' words. */
  style?: 'user' | 'record';
}

/** What the matcher needs of a Docent hit (a subset of RetrievedHit, so the rewrite of src/rag can't break it). */
export interface HitLike {
  sourceId: string;
  page: number | null;
  alsoIn: string[];
}

export interface Corpus {
  name: string;
  /** The folder to index, or why this corpus is skipped in this run. */
  resolve(): Promise<{ source: string } | { skip: string }>;
  /** The questions, or why there are none (a question file another task has not written yet). */
  questions(): EvalQuestion[] | { skip: string };
  /** Keys a Docent hit matches gold with. */
  hitKeys(hit: HitLike): string[];
  /** The key of a whole document, for the reference ranking. */
  docKey(doc: Pick<DocumentRecord, 'sourceId' | 'page'>): string;
}

const USFS_HELD_OUT = new Set(Array.from({ length: 20 }, (_, i) => `q${String((i + 1) * 5).padStart(2, '0')}`));
const PGDOCS_HELD_OUT = new Set(['pg05', 'pg10', 'pg15', 'pg20', 'pg25', 'pg30']);

const bySourceId = (doc: Pick<DocumentRecord, 'sourceId'>) => doc.sourceId;
const byPage = (x: { sourceId: string; page: number | null }) => `${x.sourceId}#${x.page ?? ''}`;

function folder(dir: string): () => Promise<{ source: string } | { skip: string }> {
  return async () => (existsSync(dir) ? { source: dir } : { skip: `${dir} is not there` });
}

function readJson<T>(file: string): T | { skip: string } {
  if (!existsSync(file)) return { skip: `no question file ${file}` };
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

interface FlaggedQuestion {
  id: string;
  question: string;
  relevant: string[];
  heldOut?: boolean;
}

function flagged(file: string): EvalQuestion[] | { skip: string } {
  const raw = readJson<FlaggedQuestion[]>(file);
  if (!Array.isArray(raw)) return raw;
  return raw.map((q) => ({ id: q.id, question: q.question, relevant: new Set(q.relevant), heldOut: q.heldOut === true }));
}

/** `question<TAB>a.html|b.html` per line, `#` lines are comments; ids pgNN follow the order of the question lines. */
export function parsePgdocsTsv(text: string): EvalQuestion[] {
  const lines = text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() && !l.trimStart().startsWith('#'));
  return lines.map((line, i) => {
    const [question = '', gold = ''] = line.split('\t');
    const id = `pg${String(i + 1).padStart(2, '0')}`;
    const relevant = new Set(gold.split('|').map((s) => s.trim()).filter(Boolean));
    return { id, question: question.trim(), relevant, heldOut: PGDOCS_HELD_OUT.has(id) };
  });
}

/** All corpora in the order they are reported. `cacheDir` holds fetched corpora (python-docs). */
export function corpora(repo: string, shared: string, cacheDir: string): Corpus[] {
  const questions = (name: string) => path.join(repo, 'test/eval/questions', name);
  return [
    {
      name: 'usfs',
      resolve: folder(path.join(shared, 'catalogs/usfs')),
      questions: () => {
        const raw = readJson<Array<FlaggedQuestion & { style: 'user' | 'record' }>>(path.join(repo, 'test/eval/usfs-questions.json'));
        if (!Array.isArray(raw)) return raw;
        return raw.map((q) => ({ id: q.id, question: q.question, relevant: new Set(q.relevant), heldOut: USFS_HELD_OUT.has(q.id), style: q.style }));
      },
      // Real catalogs publish one dataset twice; a hit with a gold record folded into it as a twin found it.
      hitKeys: (hit) => [hit.sourceId, ...hit.alsoIn],
      docKey: bySourceId,
    },
    {
      name: 'pgdocs',
      resolve: folder(path.join(shared, 'catalogs/pgdocs')),
      questions: () => {
        const file = path.join(shared, 'eval/pgdocs_questions.tsv');
        return existsSync(file) ? parsePgdocsTsv(readFileSync(file, 'utf8')) : { skip: `no question file ${file}` };
      },
      hitKeys: (hit) => [hit.sourceId],
      docKey: bySourceId,
    },
    {
      name: 'pdfs',
      resolve: folder(path.join(shared, 'pdfs')),
      questions: () => flagged(questions('pdfs.json')),
      // Gold is a page: `file.pdf#12` (1-based physical page), so a hit on the right manual's wrong page misses.
      hitKeys: (hit) => [byPage(hit)],
      docKey: byPage,
    },
    {
      name: 'python-docs',
      resolve: async () => {
        try {
          const { ensurePythonDocs } = await import('./fetch-corpus.js');
          return { source: await ensurePythonDocs(cacheDir) };
        } catch (err) {
          return { skip: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
        }
      },
      questions: () => flagged(questions('python-docs.json')),
      hitKeys: (hit) => [hit.sourceId],
      docKey: bySourceId,
    },
  ];
}

/**
 * The documents Docent's indexer loads from a source, before chunking: the same loaders, limits and order
 * (listSourceItems → loadSourceItem), so the reference ranks exactly what Docent indexed. Skips are Docent's too.
 */
export async function loadDocuments(source: string, limits: Pick<LoadContext, 'maxFileBytes' | 'fetchTimeoutMs'>): Promise<DocumentRecord[]> {
  const ctx: LoadContext = { ...limits, onSkip: () => undefined };
  const docs: DocumentRecord[] = [];
  for (const item of await listSourceItems(source, ctx)) docs.push(...(await loadSourceItem(item, ctx)));
  return docs;
}

/** What the reference reads of a document: its title, catalog keywords (Docent's record chunks carry them too) and text. */
export function referenceText(doc: DocumentRecord): string {
  return [doc.title, doc.keywords.join(' '), doc.text].filter(Boolean).join('\n');
}
