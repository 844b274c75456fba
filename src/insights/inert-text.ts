import { CONTROL_CHARS, unixLineEnds } from '../core/text/control-chars.js';

/**
 * Untrusted text (questions, titles, source ids from the activity log) made inert for every insights renderer:
 * HTML, CSV and the terminal. Control characters and bidi overrides (core/text/control-chars.ts) are not dropped
 * silently but replaced by U+FFFD (�), so a maintainer sees that the text held something odd — an activity log
 * written before questions were cleaned at input may still hold them. CRLF and a lone CR become LF first, so a
 * question typed on Windows keeps its line breaks instead of gaining a � at each.
 */
export const REPLACEMENT = '\ufffd';

export function inertText(text: string): string {
  return unixLineEnds(text).replace(CONTROL_CHARS, REPLACEMENT);
}
