/**
 * The characters untrusted text must not carry into a log, a report or a question: C0 controls except tab and
 * newline (NUL, ESC — the start of terminal escape sequences and OSC 8 hyperlinks —, backspace, form feed…), DEL,
 * the C1 controls, and the bidirectional embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069
 * ("Trojan Source", CVE-2021-42574), which reorder what follows them so text shows other than it holds.
 * Global: use with `replace`. CR is not in it: callers turn CRLF and a lone CR into LF first.
 */
export const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** CRLF and a lone CR as LF: a line end typed on Windows or an old Mac is a line end, not a control. */
export function unixLineEnds(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}
