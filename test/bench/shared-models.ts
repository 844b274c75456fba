import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { sharedWordVectorCacheDir } from '../helpers/word-vector-cache.js';

/**
 * Points `<dataDir>/models` at the word-vector table the tests share (keyed by package version), so a bench
 * part that does not measure the one-time ~4 s table conversion (run-bench does) does not pay it either.
 * Removing the data dir removes the link, not the shared cache.
 */
export function linkSharedModels(dataDir: string): void {
  mkdirSync(sharedWordVectorCacheDir, { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  symlinkSync(sharedWordVectorCacheDir, path.join(dataDir, 'models'));
}
