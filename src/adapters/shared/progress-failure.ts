import { politeError } from '../console/render.js';
import { DocentError } from '../../core/errors.js';

/** The final state of a progress reply (reindex) whose run threw: one polite line, the detail stays in the log. */
export function progressFailureText(err: unknown): string {
  if (err instanceof DocentError && err.code === 'reindex_busy') return '⏳ A reindex is already running; try again when it has finished.';
  if (err instanceof DocentError) return politeError(err);
  return 'Sorry — that did not finish. An administrator has the details in the log.';
}
