/**
 * The keyword index on SQLite FTS5 (through `libsql`, which ships prebuilt binaries on npm; `better-sqlite3`
 * compiles from source on machines without its prebuilt download). One file per index version, queried where
 * it lies: a search process keeps SQLite's page cache, not the index, in memory — measured ~70 MB RSS at 1M
 * chunks, where the MiniSearch JSON this replaces took 2.5 GB at 100k and could not load past ~320k.
 *
 * Text is tokenised by `keywordTerms` (core/text/text-tokens.ts: lower-cased letter/digit runs, English stop
 * words out, Porter stems, no camelCase split) and stored in FTS5 as space-separated terms, so the index and the
 * query agree on what a word is. Ranking is in bm25-ranking.ts (exact) and champion-lists.ts (large catalogs).
 * FTS5 is contentless (it keeps postings, not the term strings); the chunk itself —
 * text and metadata — lives in the `chunks` table, read by rowid or id.
 */
import Database from 'libsql';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DocentError } from '../core/errors.js';
import { modifiedToEpochSeconds, normalizeKeyword, recordPeriod } from '../core/filter.js';
import type { Chunk, DocumentKind, Filter, Scored } from '../core/types.js';
import type { KeywordIndex } from '../core/ports/keyword-index.js';
import { keywordTerms } from '../core/text/text-tokens.js';
import { bestChunkPerDocument, countTerm } from './best-chunk.js';
import { luceneIdf, rankDocuments } from './bm25-ranking.js';
import { readDocumentFrequencies, TERM_STATISTICS_SCHEMA, writeTermStatistics } from './champion-lists.js';
import { filterToSql } from './keyword-filter-sql.js';

type Db = InstanceType<typeof Database>;

const SCHEMA = `
CREATE TABLE chunks (
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  source_id TEXT NOT NULL,
  source_root TEXT NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  url TEXT,
  path TEXT,
  page INTEGER,
  modified TEXT,
  modified_ts INTEGER,
  keywords TEXT NOT NULL,
  text TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  text_hash TEXT NOT NULL,
  doc INTEGER NOT NULL,
  terms TEXT NOT NULL,
  fields TEXT,
  period_start INTEGER,
  period_end INTEGER
);
CREATE INDEX chunks_doc ON chunks(doc);
CREATE INDEX chunks_source_id ON chunks(source_id);
CREATE INDEX chunks_source_root ON chunks(source_root);
CREATE TABLE chunk_keywords (chunk INTEGER NOT NULL, keyword TEXT NOT NULL);
CREATE INDEX chunk_keywords_keyword ON chunk_keywords(keyword, chunk);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE docs_fts USING fts5(title, keywords, text, content='', tokenize='unicode61 remove_diacritics 0');
`;

/**
 * Bumped when the file layout changes; a file of another format is rebuilt, never misread.
 * 5: chunk `fields` (JSON) and the record period (`period_start`/`period_end`, epoch seconds) for dataset
 * cards and date filters. 6: `term_df` and `champions` (champion-lists.ts).
 */
export const KEYWORD_FORMAT = 'docent-fts5-6';

interface Row {
  rowid: number;
  doc: number;
  id: string;
  source_id: string;
  source_root: string;
  kind: string;
  title: string;
  url: string | null;
  path: string | null;
  page: number | null;
  modified: string | null;
  keywords: string;
  text: string;
  ordinal: number;
  text_hash: string;
  fields: string | null;
}

const COLUMNS = 'c.rowid, c.doc, c.id, c.source_id, c.source_root, c.kind, c.title, c.url, c.path, c.page, c.modified, c.keywords, c.text, c.ordinal, c.text_hash, c.fields';
// SQLite's default limit on bound parameters is 32766; id lookups are chunked well below it.
const ID_BATCH = 500;

function toChunk(r: Row): Chunk {
  return {
    id: r.id,
    sourceId: r.source_id,
    sourceRoot: r.source_root,
    kind: r.kind as DocumentKind,
    title: r.title,
    url: r.url,
    path: r.path,
    page: r.page,
    modified: r.modified,
    keywords: JSON.parse(r.keywords) as string[],
    text: r.text,
    ordinal: r.ordinal,
    textHash: r.text_hash,
    ...(r.fields ? { fields: JSON.parse(r.fields) as Record<string, string> } : {}),
  };
}

class SqliteKeywordIndex implements KeywordIndex {
  readonly size: number;

  private readonly documents: number;

  constructor(private readonly db: Db) {
    this.size = (db.prepare('SELECT count(*) AS n FROM chunks').get() as { n: number }).n;
    // docsize has one row per document; count(*) on the FTS5 table itself walks every posting.
    this.documents = (db.prepare('SELECT count(*) AS n FROM docs_fts_docsize').get() as { n: number }).n;
  }

  /**
   * BM25 ranks whole documents (a page, a record, a file), as a reader would judge them; each document is then
   * shown by its best-matching chunk. Ranking chunks instead lost to plain whole-page BM25 on long manuals
   * (Python docs MRR@10 0.388 against 0.489): a page that answers the question over several sections has no
   * single chunk that scores like the page, and one page's chunks took several of the top ten places.
   */
  query(question: string, n: number, filter?: Filter): Scored<Chunk>[] {
    const queryTerms = keywordTerms(question);
    if (queryTerms.length === 0 || n <= 0) return [];
    const unique = [...new Set(queryTerms)];
    const df = this.documentFrequencies(unique);
    const where = filterToSql(filter);
    const allowed = where
      ? (docs: number[]) => new Set((this.db.prepare(`SELECT DISTINCT c.doc FROM chunks c WHERE c.doc IN (${docs.map(() => '?').join(',')}) AND ${where.sql}`)
          .all(...docs, ...where.params) as Array<{ doc: number }>).map((r) => r.doc))
      : undefined;
    const ranked = rankDocuments(this.db, queryTerms, this.documents, df, Math.floor(n), allowed);
    if (ranked.length === 0) return [];
    const best = this.bestChunks(unique, ranked.map((d) => d.doc), where, df);
    return ranked.flatMap((d) => {
      const chunk = best.get(d.doc);
      return chunk ? [{ item: chunk, score: d.score }] : [];
    });
  }

  private documentFrequencies(unique: string[]): Map<string, number> {
    return readDocumentFrequencies(this.db, unique);
  }

  /** Each document's best chunk for the query (see best-chunk.ts): chosen from terms, then read whole. */
  private bestChunks(queryTerms: string[], docs: number[], where: ReturnType<typeof filterToSql>, df: Map<string, number>): Map<number, Chunk> {
    const candidates = this.db.prepare(`SELECT c.rowid, c.doc, c.ordinal, c.terms FROM chunks c WHERE c.doc IN (${docs.map(() => '?').join(',')})${where ? ` AND ${where.sql}` : ''}`)
      .all(...docs, ...(where ? where.params : [])) as Array<{ rowid: number; doc: number; ordinal: number; terms: string }>;
    const idf = (t: string) => luceneIdf(this.documents, df.get(t) ?? 0);
    const chosen = [...bestChunkPerDocument(candidates, queryTerms, idf).values()].map((c) => c.rowid);
    // A document the chunker gave no chunks (no text) has nothing to show.
    if (chosen.length === 0) return new Map();
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM chunks c WHERE c.rowid IN (${chosen.map(() => '?').join(',')})`).all(...chosen) as Row[];
    return new Map(rows.map((r) => [r.doc, toChunk(r)]));
  }

  coverage(question: string, chunkIds: readonly string[]): Map<string, number> {
    const unique = [...new Set(keywordTerms(question))];
    const out = new Map<string, number>();
    if (unique.length === 0 || chunkIds.length === 0) return out;
    const df = this.documentFrequencies(unique);
    // A word no document uses weighs most (df 0): a question about "banana bread" matched on "bread" alone is weak.
    const weights = unique.map((t) => ({ term: t, w: luceneIdf(this.documents, df.get(t) ?? 0) }));
    const whole = weights.reduce((a, x) => a + x.w, 0);
    const ids = chunkIds.slice(0, ID_BATCH);
    const rows = this.db.prepare(`SELECT id, terms FROM chunks WHERE id IN (${ids.map(() => '?').join(',')})`).all(...ids) as Array<{ id: string; terms: string }>;
    for (const r of rows) out.set(r.id, weights.reduce((a, x) => a + (countTerm(r.terms, x.term) > 0 ? x.w : 0), 0) / whole);
    return out;
  }

  chunksById(ids: readonly string[]): Chunk[] {
    const found = new Map<string, Chunk>();
    for (let i = 0; i < ids.length; i += ID_BATCH) {
      const batch = ids.slice(i, i + ID_BATCH);
      const rows = this.db.prepare(`SELECT ${COLUMNS} FROM chunks c WHERE c.id IN (${batch.map(() => '?').join(',')})`).all(...batch) as Row[];
      for (const r of rows) found.set(r.id, toChunk(r));
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  *allChunks(): Iterable<Chunk> {
    const page = 1000;
    for (let after = 0; ; ) {
      const rows = this.db.prepare(`SELECT ${COLUMNS} FROM chunks c WHERE c.rowid > ? ORDER BY c.rowid LIMIT ?`).all(after, page) as Row[];
      for (const r of rows) yield toChunk(r);
      if (rows.length < page) return;
      after = rows[rows.length - 1]!.rowid;
    }
  }

  close(): void {
    this.db.close();
  }
}

/** Opens an index file read-only. A missing file or one of another format is an error naming the fix. */
export function openKeywordIndex(file: string): KeywordIndex {
  if (!existsSync(file)) throw corrupt(file, 'is missing');
  let db: Db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const format = db.prepare("SELECT value FROM meta WHERE key = 'format'").get() as { value: string } | undefined;
    if (format?.value !== KEYWORD_FORMAT) throw new Error(`format ${format?.value ?? 'unknown'}`);
  } catch (err) {
    throw corrupt(file, `cannot be read (${err instanceof Error ? err.message : String(err)})`);
  }
  return new SqliteKeywordIndex(db);
}

/**
 * Every chunk's id and fingerprint (text hash and the fields a vector store keeps), read straight from an
 * index file: what a collection built from this version holds, for applying the next version as a diff.
 */
export function readChunkFingerprints(file: string): Map<string, string> {
  openKeywordIndex(file).close(); // the format check, with its clear error
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT id, text_hash, source_id, source_root, kind, modified, keywords FROM chunks').all() as Array<Record<string, string | null>>;
    return new Map(rows.map((r) => [r['id'] as string, [r['text_hash'], r['source_id'], r['source_root'], r['kind'], r['modified'] ?? '', r['keywords']].join('\u0000')]));
  } finally {
    db.close();
  }
}

/** True when `file` is a keyword index this version of Docent can read (a rebuild is due otherwise). */
export function isReadableKeywordIndex(file: string): boolean {
  try {
    openKeywordIndex(file).close();
    return true;
  } catch {
    return false;
  }
}

function corrupt(file: string, what: string): DocentError {
  return new DocentError('index_corrupt', 'internal', `The keyword index ${path.basename(file)} ${what}.`, {
    hint: 'Run `docent index` to rebuild the index.',
  });
}

/**
 * Writes a new index file: into `<file>.tmp`, then renamed over `file`, so a reader never sees a half-written
 * index and a crash leaves only a tmp file for the next run to sweep. Chunks are added in batches
 * (`add`), then `finish` optimises the FTS segments (one merged b-tree: fewer pages per query) and renames.
 */
export class KeywordIndexWriter {
  private readonly tmp: string;
  private readonly db: Db;
  private rowid = 0;
  private readonly insertChunk;
  private readonly insertKeyword;
  private readonly insertDoc;
  private readonly docIds = new Map<string, number>();

  constructor(private readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = `${file}.${process.pid}.tmp`;
    rmSync(this.tmp, { force: true });
    this.db = new Database(this.tmp);
    // A tmp file renamed only when complete needs no journal: a crash discards it whole.
    this.db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 8192;');
    this.db.exec(SCHEMA + TERM_STATISTICS_SCHEMA);
    this.db.prepare("INSERT INTO meta(key, value) VALUES ('format', ?)").run(KEYWORD_FORMAT);
    this.insertChunk = this.db.prepare(
      `INSERT INTO chunks (rowid, id, source_id, source_root, kind, title, url, path, page, modified, modified_ts, keywords, text, ordinal, text_hash, doc, terms, fields, period_start, period_end)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertDoc = this.db.prepare('INSERT INTO docs_fts (rowid, title, keywords, text) VALUES (?, ?, ?, ?)');
    this.insertKeyword = this.db.prepare('INSERT INTO chunk_keywords (chunk, keyword) VALUES (?, ?)');
  }

  /**
   * Adds the documents the chunks come from (BM25 ranks documents whole). Call before adding their chunks; a
   * chunk whose document was never added gets a document of its own.
   */
  addDocuments(docs: readonly KeywordDocument[]): void {
    const tx = this.db.transaction((batch: readonly KeywordDocument[]) => {
      for (const d of batch) {
        const key = docKey(d.sourceRoot, d.sourceId, d.page);
        if (this.docIds.has(key)) continue;
        const rowid = this.docIds.size + 1;
        this.docIds.set(key, rowid);
        this.insertDoc.run(rowid, keywordTerms(d.title).join(' '), keywordTerms(d.keywords.join(' ; ')).join(' '), keywordTerms(d.text).join(' '));
      }
    });
    tx(docs);
  }

  /** Adds chunks (ids must be unique across the whole index: the indexer guarantees it). */
  add(chunks: readonly Chunk[]): void {
    const orphans = chunks.filter((c) => !this.docIds.has(docKey(c.sourceRoot, c.sourceId, c.page)));
    if (orphans.length > 0) this.addDocuments(orphans);
    const tx = this.db.transaction((batch: readonly Chunk[]) => {
      for (const c of batch) {
        const rowid = ++this.rowid;
        const doc = this.docIds.get(docKey(c.sourceRoot, c.sourceId, c.page))!;
        const textTerms = keywordTerms(c.text).join(' ');
        const hasFields = c.fields !== undefined && Object.keys(c.fields).length > 0;
        const period = recordPeriod(c.fields);
        this.insertChunk.run(rowid, c.id, c.sourceId, c.sourceRoot, c.kind, c.title, c.url, c.path, c.page, c.modified,
          modifiedToEpochSeconds(c.modified) ?? null, JSON.stringify(c.keywords), c.text, c.ordinal, c.textHash, doc, textTerms,
          hasFields ? JSON.stringify(c.fields) : null, period?.start ?? null, period?.end ?? null);
        for (const k of new Set(c.keywords.map(normalizeKeyword))) if (k !== '') this.insertKeyword.run(rowid, k);
      }
    });
    tx(chunks);
  }

  get count(): number {
    return this.rowid;
  }

  /** Optimises, closes and moves the file into place. */
  finish(): void {
    this.db.exec("INSERT INTO docs_fts(docs_fts) VALUES ('optimize')");
    writeTermStatistics(this.db);
    this.db.exec('ANALYZE');
    this.db.close();
    renameSync(this.tmp, this.file);
  }

  /** Closes and deletes the tmp file (a failed run). */
  abort(): void {
    try {
      this.db.close();
    } catch {
      // Already closed (finish failed at the rename): only the tmp file is left to remove.
    }
    rmSync(this.tmp, { force: true });
  }
}

/** The part of a document the keyword index ranks (a DocumentRecord fits). */
export interface KeywordDocument {
  sourceRoot: string;
  sourceId: string;
  page: number | null;
  title: string;
  keywords: string[];
  text: string;
}

function docKey(sourceRoot: string, sourceId: string, page: number | null): string {
  return `${sourceRoot}\u0000${sourceId}\u0000${page ?? ''}`;
}

/**
 * Builds an index file in one go (tests, small catalogs). Without `docs`, each document's text is its chunks'
 * texts joined (overlaps counted twice: fine for tests, the indexer passes the real documents).
 */
export function writeKeywordIndex(file: string, chunks: readonly Chunk[], docs?: readonly KeywordDocument[]): void {
  const w = new KeywordIndexWriter(file);
  try {
    w.addDocuments(docs ?? documentsOf(chunks));
    for (let i = 0; i < chunks.length; i += 1000) w.add(chunks.slice(i, i + 1000));
    w.finish();
  } catch (err) {
    w.abort();
    throw err;
  }
}

function documentsOf(chunks: readonly Chunk[]): KeywordDocument[] {
  const byKey = new Map<string, KeywordDocument>();
  for (const c of chunks) {
    const key = docKey(c.sourceRoot, c.sourceId, c.page);
    const d = byKey.get(key);
    if (d) d.text += `\n\n${c.text}`;
    else byKey.set(key, { sourceRoot: c.sourceRoot, sourceId: c.sourceId, page: c.page, title: c.title, keywords: c.keywords, text: c.text });
  }
  return [...byKey.values()];
}
