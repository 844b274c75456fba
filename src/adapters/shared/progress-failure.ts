import { politeError } from './polite-error.js';
import { DocentError } from '../../core/errors.js';
import type { Logger } from '../../logging/logger.js';

/** The final state of a progress reply (reindex) whose run threw: one polite line, the detail stays in the log. */
export function progressFailureText(err: unknown): string {
  if (err instanceof DocentError && err.code === 'reindex_busy') return '⏳ A reindex is already running; try again when it has finished.';
  if (err instanceof DocentError) return politeError(err);
  return 'Sorry — that did not finish. An administrator has the details in the log.';
}

/**
 * Runs a progress command (each report goes to `update`) and returns the text its reply should end with: the
 * command's own final text, or, when it threw, one polite line (the error itself goes to the log).
 */
export async function runForFinalText(
  run: (report: (md: string) => Promise<void>) => Promise<string>,
  update: (md: string) => Promise<void>,
  logger: Logger,
): Promise<string> {
  try {
    return await run(update);
  } catch (err) {
    logger.error({ err }, 'progress command failed');
    return progressFailureText(err);
  }
}
