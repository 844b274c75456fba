import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isReadableKeywordIndex } from '../stores/sqlite-keyword-index.js';
import type { SkippedItem } from './loaders/loader.js';

/** Where index state lives under the data dir. Nothing is written outside it. */
export function indexPaths(dataDir: string) {
  const root = path.resolve(dataDir);
  return {
    root,
    indexDir: path.join(root, 'index'),
    manifest: path.join(root, 'index', 'manifest.json'),
    documentCache: path.join(root, 'index', 'documents.json'),
    keywordFile: (version: number) => path.join(root, 'index', `keyword-v${version}.sqlite`),
    embeddingCacheDir: path.join(root, 'cache', 'embeddings'),
    modelsDir: path.join(root, 'models'),
    chromaDir: path.join(root, 'chroma'),
  };
}

/** What the serving index is. Swapped atomically at the end of a successful reindex. */
export interface IndexManifest {
  formatVersion: 1;
  /** Increments with every rebuild; names the Chroma collection and the keyword file. */
  version: number;
  collection: string;
  embedder: { id: string; dimension: number };
  builtAt: string;
  /** Last time a reindex ran, even when it found nothing to change. */
  checkedAt: string;
  sources: string[];
  documents: number;
  chunks: number;
  perSource: Record<string, { documents: number; chunks: number }>;
  /** sha256 over every chunk id and text hash: equal means the index content is unchanged. */
  contentHash: string;
  /**
   * Hash of what the chunks are made from: every document (text by its contentHash, every other field as is), the
   * chunking settings and the chunker's version. Equal on the next run → nothing to re-chunk.
   */
  inputsHash?: string;
  /** Content hash of every document by its key (source root, source id, page): the next run's diff base. */
  documentHashes?: Record<string, string>;
  lastRun: { seconds: number; skipped: SkippedItem[] };
  /** The version this one replaced, kept one run: the next reindex rewrites its collection in place (a diff). */
  previousVersion?: { version: number; collection: string };
}

export function readManifest(dataDir: string): IndexManifest | null {
  const file = indexPaths(dataDir).manifest;
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as IndexManifest;
}

export function writeManifest(dataDir: string, manifest: IndexManifest): void {
  writeJsonAtomic(indexPaths(dataDir).manifest, manifest);
}

/** tmp + rename: readers see the old file or the new one, never a torn one. */
export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}

/**
 * True when the manifest names a version whose keyword file this Docent can read; false for no index, or one
 * an older Docent wrote (BM25 in JSON, an older SQLite layout), which the zero-config start then rebuilds.
 */
export function hasServingIndex(dataDir: string): boolean {
  const m = readManifest(dataDir);
  return m !== null && isReadableKeywordIndex(indexPaths(dataDir).keywordFile(m.version));
}
