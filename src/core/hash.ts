import { createHash } from 'node:crypto';

/** sha256 hex of the given parts, separated so that ('ab','c') and ('a','bc') differ. */
export function sha256(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\u0000');
  }
  return h.digest('hex');
}
