import { CONTROL_CHARS, unixLineEnds } from './control-chars.js';

/**
 * A question as typed on any surface, cleaned once where every surface's questions enter (the services' `ask`):
 * control characters have no meaning in a question and only cause harm downstream — a NUL or an ESC reached the
 * activity log, the logs and the insights report raw — and bidi overrides make a question show other text than
 * it holds (control-chars.ts). They are removed; letters, emoji and punctuation in any script are untouched; the
 * result is trimmed.
 */
export function cleanQuestionText(text: string): string {
  return unixLineEnds(text).replace(CONTROL_CHARS, '').trim();
}
