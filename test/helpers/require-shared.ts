import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Suites that read the real catalogs and manuals in `../shared` (next to the repo; CI and the dev machines have
 * it, a fresh clone does not). Same pattern as the browser tests' DOCENT_REQUIRE_CHROMIUM: on a contributor's
 * machine a missing folder skips the suite with one line saying why; in CI (`CI=1`/`CI=true`, or
 * `DOCENT_REQUIRE_SHARED=1`, which .ci/run sets) it fails the file instead, so nothing skips unnoticed there.
 */

export const SHARED = path.resolve(import.meta.dirname, '../../../shared');

export const sharedRequired = process.env.DOCENT_REQUIRE_SHARED === '1' || process.env.CI === '1' || process.env.CI === 'true';

/**
 * `../shared/<sub>` for `suite`, and whether the suite can run. Call at module level and pass `!present` to
 * `describe.skipIf`. Throws when the folder is missing and shared data is required (CI).
 */
export function requireShared(suite: string, sub = ''): { dir: string; present: boolean } {
  const dir = path.join(SHARED, sub);
  const present = existsSync(dir);
  if (!present) {
    if (sharedRequired) throw new Error(`${suite}: ${dir} is missing, and DOCENT_REQUIRE_SHARED=1/CI requires it (the real catalogs and manuals in ../shared).`);
    console.warn(`${suite}: skipped — ${dir} is absent (../shared holds the real catalogs; only CI and the dev machines have it).`);
  }
  return { dir, present };
}
