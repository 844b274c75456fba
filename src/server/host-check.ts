/**
 * DNS rebinding guard. Without STATUS_TOKEN, binding to loopback is what keeps /status, /insights, /metrics and
 * the chat API private; but a web page the operator visits can point its own domain at 127.0.0.1 and have the
 * browser read them, and the request then carries that domain in `Host`. On a loopback bind only loopback names
 * are answered (found by an attacker pass over the web chat). A public bind (0.0.0.0, a Space) answers any name:
 * there the token is the guard.
 */
const LOOPBACK_BINDS = new Set(['127.0.0.1', '::1', 'localhost']);
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isForeignHost(bind: string, hostHeader: string | undefined): boolean {
  if (!LOOPBACK_BINDS.has(bind) || hostHeader === undefined) return false;
  const name = hostHeader.trim().toLowerCase().replace(/:\d+$/, '');
  return !LOOPBACK_NAMES.has(name) && !name.endsWith('.localhost');
}
