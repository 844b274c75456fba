import type { Citation } from './wire.js';

/**
 * Links the page makes itself: to a record's page, a PDF page, a dataset download. The URLs come from the
 * catalog (untrusted), so only http(s) URLs with a host become links — the same rule as `httpUrl` in
 * src/adapters/shared/untrusted-text.ts; anything else (javascript:, data:, file:) is shown as text or not at all.
 */
export function httpUrl(url: string | null | undefined): string | null {
  const u = url?.trim();
  if (!u || !/^https?:\/\/[^\s/?#]/i.test(u)) return null;
  try {
    const parsed = new URL(u);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A citation's link: the record's URL, and for a PDF the cited page (`#page=n`, which PDF viewers open at). */
export function citationHref(c: Pick<Citation, 'url' | 'page'>): string | null {
  const url = httpUrl(c.url);
  if (!url) return null;
  const isPdf = /\.pdf$/i.test(new URL(url).pathname);
  return isPdf && c.page !== null && !url.includes('#') ? `${url}#page=${c.page}` : url;
}

/**
 * Opens in a new tab; `noopener` so the new page cannot reach back into this one (window.opener), `noreferrer`
 * so the conversation's URL (`/?q=…`) is not sent along, `nofollow` because the page did not vouch for it.
 */
export function externalLink(a: HTMLAnchorElement): HTMLAnchorElement {
  a.target = '_blank';
  a.rel = 'noopener noreferrer nofollow';
  return a;
}

/** A new external link with text. */
export function linkTo(href: string, text: string, className?: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  if (className) a.className = className;
  return externalLink(a);
}
