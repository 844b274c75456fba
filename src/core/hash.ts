import { createHash } from 'node:crypto';

/** sha256 hex of the given parts, separated so that ('ab','c') and ('a','bc') differ. */
export function sha256(...parts: string[]): string {
  return sha256Of(parts);
}

/** sha256 of an iterable of parts (same value as `sha256(...parts)`): a million parts cannot be spread as arguments. */
export function sha256Of(parts: Iterable<string>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\u0000');
  }
  return h.digest('hex');
}

/** 32-bit FNV-1a: fast, and stable across runs and platforms (hashed features end up in the index). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
