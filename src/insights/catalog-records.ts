import Database from 'libsql';
import { indexPaths, readManifest } from '../indexing/index-files.js';
import { isReadableKeywordIndex } from '../stores/sqlite-keyword-index.js';
import type { CatalogRecords, RecordRef } from './insights-report.js';

/**
 * The records of the serving index (one per source id, with a title and link), for "never cited" — read from the
 * data dir, with no runtime: `docent insights` must not start Chroma or load an embedder to list what is indexed.
 *
 * The titles come from the serving keyword index (one SQLite file; a GROUP BY over its `chunks` table, read-only,
 * the same table `readChunkFingerprints` reads). If that file is missing or another format, the manifest's
 * document keys (`root \0 sourceId \0 page`, src/indexing/indexer.ts) still give the source ids, titled by id.
 * `docent status` and the sources service count documents per source root only, which cannot say which records
 * went uncited; this is the per-record list they are built from.
 */
export function readCatalogRecords(dataDir: string): CatalogRecords {
  let manifest;
  try {
    manifest = readManifest(dataDir);
  } catch {
    manifest = null;
  }
  if (!manifest) return { available: false, records: [] };
  const file = indexPaths(dataDir).keywordFile(manifest.version);
  if (isReadableKeywordIndex(file)) {
    try {
      return { available: true, records: fromKeywordIndex(file) };
    } catch {
      // Fall back to the manifest below: a report is still worth having without titles.
    }
  }
  const ids = new Set(Object.keys(manifest.documentHashes ?? {}).map((k) => k.split('\u0000')[1] ?? '').filter(Boolean));
  return { available: manifest.documentHashes !== undefined, records: [...ids].sort().map((sourceId) => ({ sourceId, title: sourceId, url: null })) };
}

function fromKeywordIndex(file: string): RecordRef[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT source_id AS sourceId, MIN(title) AS title, MIN(url) AS url FROM chunks GROUP BY source_id ORDER BY source_id').all() as Array<{ sourceId: string; title: string | null; url: string | null }>;
    return rows.map((r) => ({ sourceId: r.sourceId, title: r.title || r.sourceId, url: r.url }));
  } finally {
    db.close();
  }
}
