/** Page-level helpers for the web chat browser tests. */
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';

/**
 * A fresh context and page. An init script collects anything the page should never do into
 * `window.__problems`: uncaught errors and CSP violations (a blocked inline script or style would show here).
 */
export async function openPage(browser: Browser, o: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext(o);
  context.setDefaultTimeout(30_000);
  await context.addInitScript(() => {
    const w = window as unknown as { __problems: string[] };
    w.__problems = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__problems.push(`CSP ${e.violatedDirective}: ${e.blockedURI}`));
    window.addEventListener('error', (e) => w.__problems.push(`error: ${e.message}`));
  });
  return context.newPage();
}

/** The n-th answer (1-based) once it is complete (`data-state="done"`); generous: the machine is shared. */
export async function waitForAnswer(page: Page, n: number, state = 'done'): Promise<Locator> {
  const answer = page.locator(`.conversation > .turn:nth-child(${n}) article.answer`);
  await answer.and(page.locator(`[data-state="${state}"]`)).waitFor({ state: 'attached', timeout: 60_000 });
  return answer;
}
