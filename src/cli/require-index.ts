import path from 'node:path';
import { NoIndexError } from '../core/errors.js';
import { hasServingIndex, indexPaths, readManifest } from '../indexing/index-files.js';

/**
 * `search` and `ask` on a data dir without an index stop here, before the embedder is resolved: with
 * EMBEDDER=auto and no index, resolving it starts a model download only to report "no index" afterwards.
 */
export function requireIndex(dataDir: string): void {
  if (hasServingIndex(dataDir)) return;
  const manifest = readManifest(dataDir);
  if (!manifest) throw new NoIndexError(indexPaths(dataDir).root);
  throw new NoIndexError(indexPaths(dataDir).root, `${path.basename(indexPaths(dataDir).keywordFile(manifest.version))} is missing or was written by an older Docent`);
}
