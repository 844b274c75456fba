import { apiHeaders } from './auth.js';
import { LIMITS, readEvents, type WirePart, type WireTurn } from './wire.js';

/** Why an ask did not stream: the server's polite sentence, and whether a (new) token would help. */
export class AskRefused extends Error {
  constructor(message: string, readonly unauthorized: boolean) {
    super(message);
  }
}

const LOST = 'Sorry — the connection to Docent was lost. Please try again.';

/** The API's error body (`{"error":{"message"}}`, always a sentence meant for people) or a generic one. */
async function refusal(res: Response): Promise<AskRefused> {
  let message = res.status === 429 ? 'Too many questions; please wait a moment and try again.' : 'Sorry — Docent could not take that question. Please try again.';
  try {
    const body = (await res.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string' && res.status !== 401) message = body.error.message;
  } catch {
    // Not JSON (a proxy's error page): keep the generic sentence.
  }
  if (res.status === 401) message = 'This catalog is private: sign in with the access token to ask.';
  return new AskRefused(message, res.status === 401);
}

/**
 * POST /api/ask; yields the answer's parts as they arrive. Throws AskRefused for a non-200 answer, the fetch's
 * AbortError when `signal` aborts (the server then stops answering: it aborts on disconnect), AskRefused(LOST)
 * when the network fails.
 */
export async function* ask(question: string, history: readonly WireTurn[], signal: AbortSignal): AsyncGenerator<WirePart> {
  let res: Response;
  try {
    res = await fetch('/api/ask', { method: 'POST', headers: apiHeaders(), body: JSON.stringify({ question, history: trimHistory(history) }), signal });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new AskRefused(LOST, false);
  }
  if (!res.ok || !res.body) throw await refusal(res);
  try {
    yield* readEvents(res.body);
  } catch (err) {
    if (signal.aborted) throw err;
    throw new AskRefused(LOST, false);
  }
}

/** The latest turns within the API's limits (older ones matter least to a follow-up). */
export function trimHistory(history: readonly WireTurn[]): WireTurn[] {
  return history.slice(-LIMITS.historyTurns).map((t) => ({ role: t.role, content: t.content.slice(0, LIMITS.turnChars) }));
}

/** POST /api/feedback; a sentence for the page either way. */
export async function sendVote(answerId: string, vote: 'up' | 'down'): Promise<{ ok: boolean; message: string }> {
  try {
    const res = await fetch('/api/feedback', { method: 'POST', headers: apiHeaders(), body: JSON.stringify({ answerId, vote }) });
    if (res.ok) return { ok: true, message: vote === 'up' ? 'Thanks — glad it helped.' : 'Thanks — noted for whoever keeps the catalog.' };
    return { ok: false, message: res.status === 429 ? 'Too many votes; please try again in a moment.' : 'Sorry — your vote could not be recorded.' };
  } catch {
    return { ok: false, message: 'Sorry — your vote could not be recorded.' };
  }
}

/** Copies the shareable `/?q=` link; where the clipboard is not available (plain http), shows the link instead. */
export async function copyQuestionLink(question: string): Promise<string> {
  const url = new URL('/', location.href);
  url.searchParams.set('q', question);
  try {
    await navigator.clipboard.writeText(url.href);
    return 'Link copied.';
  } catch {
    return `Link: ${url.href}`;
  }
}
