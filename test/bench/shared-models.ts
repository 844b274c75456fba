import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { sharedWordVectorCacheDir } from '../helpers/word-vector-cache.js';

/**
 * Points `<dataDir>/models` at the word-vector table the tests share (keyed by package version), so only the
 * first bench part on a machine pays the one-time ~4 s conversion from the npm package (run-bench reports which).
 * Removing the data dir removes the link, not the shared cache.
 */
export function linkSharedModels(dataDir: string): { alreadyConverted: boolean } {
  mkdirSync(sharedWordVectorCacheDir, { recursive: true });
  const alreadyConverted = readdirSync(sharedWordVectorCacheDir).length > 0;
  mkdirSync(dataDir, { recursive: true });
  symlinkSync(sharedWordVectorCacheDir, path.join(dataDir, 'models'));
  return { alreadyConverted };
}
