/**
 * WEB_CHAT_TOKEN on the page. The server checks `Authorization: Bearer <token>` on /api/* (chat-api.ts); the page
 * asks for the token once and keeps it in sessionStorage — for this tab only, gone when it closes, never in a
 * cookie (so no other site can make the browser send it) and never in a URL (which would land in history).
 */
const KEY = 'docent.webChatToken';

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the token lives only as long as this page does
  }
}

let memoryToken: string | null = null;

export function saveToken(token: string | null): void {
  memoryToken = token;
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage disabled (private mode in some browsers): memoryToken is enough for this page.
  }
}

/** Headers for an API call: JSON, and the bearer token when there is one. */
export function apiHeaders(): Record<string, string> {
  const token = memoryToken ?? storedToken();
  return { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

export function hasToken(): boolean {
  return Boolean(memoryToken ?? storedToken());
}

/**
 * Checks a token without asking a question: /api/feedback checks the token before the body, so an empty body
 * comes back 401 for a wrong token and 400 (the body is wrong, the token is fine) for the right one.
 */
export async function checkToken(token: string): Promise<'ok' | 'wrong' | 'unknown'> {
  try {
    const res = await fetch('/api/feedback', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{}' });
    return res.status === 401 ? 'wrong' : res.status === 400 ? 'ok' : 'unknown';
  } catch {
    return 'unknown';
  }
}
