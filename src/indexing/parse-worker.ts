/**
 * Runs inside the parse worker thread (parse-pool.ts starts it): one task is one loader run over one file's
 * bytes. Everything a loader reports comes back as plain data, because a thrown LoadError or an `onSkip`
 * callback cannot cross the thread boundary; the pool turns the answer back into skips.
 */
import { LoadError } from '../core/errors.js';
import type { DocumentRecord } from '../core/types.js';
import type { LoaderInput, ParseLimits, SkippedItem } from './loaders/loader.js';
import { loaderByKey } from './loaders/registry.js';

/** What the pool posts: the loader by key (registry.ts), the input with its bytes transferred, the limits. */
export interface ParseTask {
  loader: string;
  input: Omit<LoaderInput, 'bytes'> & { bytes: Uint8Array };
  limits: ParseLimits;
}

/** Documents plus partial skips (one bad record in a feed), or why the whole input was unusable. */
export type ParseResult =
  | { ok: true; docs: DocumentRecord[]; skips: SkippedItem[] }
  | { ok: false; reason: string; skips: SkippedItem[] };

/** A task that does nothing: the pool sends it first, so starting the thread is not counted as parsing. */
export const WARM_UP = 'warm-up';

export default async function parse(task: ParseTask): Promise<ParseResult> {
  const skips: SkippedItem[] = [];
  if (task.loader === WARM_UP) return { ok: true, docs: [], skips };
  const loader = loaderByKey(task.loader);
  if (!loader) return { ok: false, reason: `no loader for ${task.loader}`, skips };
  // The bytes arrive as a plain Uint8Array; loaders use Buffer methods (toString('latin1'), …).
  const { bytes } = task.input;
  const input: LoaderInput = { ...task.input, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  try {
    const docs = await loader.load(input, { onSkip: (s) => skips.push(s), parse: task.limits });
    return { ok: true, docs, skips };
  } catch (err) {
    const reason = err instanceof LoadError ? err.reason : `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
    return { ok: false, reason, skips };
  }
}
