/**
 * A backend's name and failure reason as chat users and browsers see them: what went wrong, not where. Provider
 * messages and some backend ids name the endpoint — an internal Ollama at 10.0.0.5:11434, a private Hugging Face
 * endpoint URL, `openai:model@http://host:port` — which is the operator's business (the log, `status` on the
 * terminal and `docent ask --json` keep them whole), not every reader's of a public channel or Space.
 */

/** URLs become "its endpoint", bare hosts with a port (IPv4, IPv6, localhost, a name with a port) "its host". */
export function publicReason(reason: string): string {
  return reason
    // A URL ends before whitespace, a closing bracket or quote, and before punctuation that ends a clause.
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s)\]'"]*[^\s)\]'":;,.]/gi, 'its endpoint')
    .replace(/\[[0-9a-f:.]+\](?::\d+)?/gi, 'its host')
    .replace(/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, 'its host')
    .replace(/\b(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+):\d{2,5}\b/gi, 'its host');
}

/** `openai:gpt-4o-mini@http://10.0.0.5:8000` → `openai:gpt-4o-mini`; ids without an endpoint stay as they are. */
export function publicBackend(id: string): string {
  const at = id.indexOf('@');
  return at > 0 && /^[a-z][a-z0-9+.-]*:\/\//i.test(id.slice(at + 1)) ? id.slice(0, at) : id;
}
