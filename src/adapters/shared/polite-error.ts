import type { DocentError } from '../../core/errors.js';
import { stripControls } from './untrusted-text.js';

/**
 * The one polite sentence a user sees for an error; the log keeps the detail. Every surface (terminal, Discord,
 * Slack, web chat) uses it, so it lives here rather than in one adapter. A user error's message can quote what was typed (a source name), so control characters are dropped
 * here, for every surface.
 */
export function politeError(error: DocentError): string {
  return stripControls(politeSentence(error));
}

function politeSentence(error: DocentError): string {
  switch (error.category) {
    case 'user':
      return `Sorry — ${error.message}${error.hint ? ` ${error.hint}` : ''}`;
    case 'config':
      return 'Sorry — Docent is not configured correctly for that; an administrator has the details in the log.';
    case 'provider':
      return 'Sorry — a service Docent depends on is not answering right now. Please try again in a minute.';
    default:
      return 'Sorry — something went wrong while answering. Please try again.';
  }
}
