/**
 * The web chat page in a real browser (headless Chromium through playwright-core) against a real Docent server
 * over the sample catalog with no LLM configured, so answers are quoted excerpts: `/?q=` opens with the cited
 * answer, a citation opens its record, a follow-up carries the conversation, 👎 lands in the activity log, the
 * page fits a phone, and a private catalog asks for its token first. Streaming, Stop and hostile answers need a
 * model that takes its time: web-chat-streaming.test.ts.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webChatCsp } from '../../src/server/web-chat/index.js';
import { launchBrowser, runBrowserTests, startWebChatHarness, warnIfSkipped, type WebChatHarness } from './web-chat-harness.js';
import { openPage, waitForAnswer } from './web-chat-page.js';

warnIfSkipped('web chat browser tests');

const QUESTION = 'where should I install a temperature logger in a stream?';
const TOKEN = 'web-chat-browser-token-0123456789';
let harness: WebChatHarness;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function page(o: Parameters<typeof openPage>[1] = {}): Promise<Page> {
  const p = await openPage(browser, o);
  contexts.push(p.context());
  return p;
}

const readLines = (file: string): Array<Record<string, unknown>> =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];

describe.skipIf(!runBrowserTests)('web chat page in Chromium (extractive answers)', () => {
  beforeAll(async () => {
    [harness, browser] = await Promise.all([startWebChatHarness(), launchBrowser()]);
  }, 180_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await harness?.close();
  });

  it('serves the page with its own strict CSP and content-hashed, cacheable assets', async () => {
    const res = await fetch(`${harness.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toBe(webChatCsp());
    expect(webChatCsp()).toBe("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    const html = await res.text();
    const script = /<script src="(\/assets\/app-[0-9a-f]{16}\.js)" defer><\/script>/.exec(html)?.[1];
    const style = /<link rel="stylesheet" href="(\/assets\/app-[0-9a-f]{16}\.css)">/.exec(html)?.[1];
    expect(script && style).toBeTruthy();
    const js = await fetch(`${harness.url}${script}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await js.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${harness.url}${style}`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${harness.url}/assets/app-0000000000000000.js`)).status).toBe(404);
    // The status page moved to /status and is still there.
    expect((await fetch(`${harness.url}/status`)).status).toBe(200);
  });

  it('/?q= opens with that question answered, cited, and says it is quoted excerpts', async () => {
    const p = await page();
    await p.goto(`${harness.url}/?q=${encodeURIComponent(QUESTION)}`);
    const answer = await waitForAnswer(p, 1);
    expect(await p.locator('.question').first().innerText()).toContain(QUESTION);
    expect(await answer.locator('.answer-body').innerText()).toMatch(/logger/i);
    // Numbered citations; the Field Manual is a local PDF (no web address), so its citation points at its line in
    // the source list under the answer, which names the page.
    const entry = answer.locator('.sources li', { hasText: 'Field Manual' });
    expect(await entry.innerText()).toMatch(/page 2/);
    const id = (await entry.getAttribute('id'))!;
    expect(id).toMatch(/^a1-source-\d+$/);
    const cite = answer.locator(`.answer-body a.cite[href="#${id}"]`).first();
    expect(await cite.innerText()).toBe(id.split('-').at(-1));
    await cite.click();
    expect(await p.evaluate(() => location.hash)).toBe(`#${id}`);
    expect(await answer.locator('.answer-meta').innerText()).toMatch(/Answered by quoted excerpts \(no LLM\)/);
    expect(await answer.locator('.answer-note').innerText()).toBe('Quoted excerpts; set HF_TOKEN for written answers.');
    expect(await p.locator('#excerpts-note').isVisible()).toBe(true);
    expect(await p.evaluate(() => (window as unknown as { __problems: string[] }).__problems)).toEqual([]);
  });

  it('asks with Enter, shows dataset cards, and a citation opens the record in a new tab without an opener', async () => {
    const p = await page();
    // The sample catalog's records live on example.org; the browser gets a stand-in page instead of the network.
    await p.context().route(/^https?:\/\/([a-z0-9-]+\.)*example\.org\//, (route) => route.fulfill({ contentType: 'text/html', body: '<title>record</title>' }));
    await p.goto(harness.url);
    await p.locator('#question').fill('is there data on stream temperature?');
    await p.locator('#question').press('Enter');
    const answer = await waitForAnswer(p, 1);
    expect(await answer.locator('.card').count()).toBeGreaterThan(0);
    const cite = answer.locator('.answer-body a.cite[href^="http"]').first();
    const href = (await cite.getAttribute('href'))!;
    expect(href).toMatch(/^https?:\/\/[^/]*example\.org\//);
    expect(await cite.getAttribute('target')).toBe('_blank');
    expect(await cite.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    const [popup] = await Promise.all([p.waitForEvent('popup', { timeout: 30_000 }), cite.click()]);
    await popup.waitForLoadState();
    expect(popup.url()).toBe(href);
    expect(await popup.evaluate(() => window.opener)).toBeNull();
    // Every control in the answer is a real button (keyboard and screen readers get one for free).
    const controls = await answer.locator('.answer-actions > :not(.action-note)').evaluateAll((els) => els.map((e) => `${e.tagName}:${e.getAttribute('type')}`));
    expect(controls).toEqual(['BUTTON:button', 'BUTTON:button', 'BUTTON:button']);
  });

  it('a follow-up sends the conversation so far and is answered in its context', async () => {
    const p = await page();
    await p.goto(harness.url);
    await p.locator('#question').fill('how do I calibrate the temperature logger?');
    await p.locator('#send').click();
    const first = await waitForAnswer(p, 1);
    const firstText = await p.evaluate(() => document.querySelector('.answer-body')!.textContent);
    const request = p.waitForRequest((r) => r.url().endsWith('/api/ask') && r.method() === 'POST');
    await p.locator('#question').fill('and in winter?');
    await p.locator('#question').press('Enter');
    const body = (await request).postDataJSON() as { question: string; history: Array<{ role: string; content: string }> };
    expect(body.question).toBe('and in winter?');
    expect(body.history.map((t) => t.role)).toEqual(['user', 'assistant']);
    expect(body.history[0]!.content).toBe('how do I calibrate the temperature logger?');
    expect(body.history[1]!.content.length).toBeGreaterThan(20);
    // The assistant turn is the first answer's text (its Markdown source; the page shows it rendered).
    expect(firstText!.replace(/\s+/g, ' ')).toContain(body.history[1]!.content.replace(/[*_`]|\[\d+\]/g, '').replace(/\s+/g, ' ').trim().slice(0, 12));
    await waitForAnswer(p, 2);
    expect(await first.count()).toBe(1);
    // The server used the history: the follow-up was searched as a standalone question, not as "and in winter?".
    await expect.poll(() => readLines(path.join(harness.dataDir, 'activity/answers.jsonl')).find((r) => r.question === 'and in winter?')?.searchQuery, { timeout: 15_000 })
      .toMatch(/logger|calibrat/i);
  });

  it('👎 records the vote for that answer in the activity log', async () => {
    const p = await page();
    const question = 'what licence does the data use?';
    await p.goto(`${harness.url}/?q=${encodeURIComponent(question)}`);
    const answer = await waitForAnswer(p, 1);
    const down = answer.getByRole('button', { name: 'Not helpful' });
    await down.focus();
    await p.keyboard.press('Enter');
    await expect.poll(() => down.getAttribute('aria-pressed'), { timeout: 15_000 }).toBe('true');
    expect(await answer.locator('.action-note').innerText()).toMatch(/Thanks/);
    const feedback = path.join(harness.dataDir, 'activity/feedback.jsonl');
    await expect.poll(() => readLines(feedback).find((l) => l.question === question), { timeout: 15_000 }).toMatchObject({ vote: 'down', platform: 'web' });
    expect((await harness.services.status()).feedback.down).toBeGreaterThanOrEqual(1);
  });

  it('fits a phone screen (390×844) without sideways scrolling; the screenshot is written', async () => {
    const p = await page({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await p.goto(`${harness.url}/?q=${encodeURIComponent('is there data on snow depth?')}`);
    await waitForAnswer(p, 1);
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await p.locator('#send').isVisible()).toBe(true);
    const file = path.join(harness.work, 'web-chat-phone.png');
    await p.screenshot({ path: file, fullPage: false });
    expect(statSync(file).size).toBeGreaterThan(30 * 1024);
  });

  it('copy link puts the /?q= link on the clipboard', async () => {
    const p = await page({ permissions: ['clipboard-read', 'clipboard-write'] });
    await p.goto(`${harness.url}/?q=${encodeURIComponent(QUESTION)}`);
    const answer = await waitForAnswer(p, 1);
    await answer.getByRole('button', { name: 'Copy link' }).click();
    await expect.poll(() => answer.locator('.action-note').innerText(), { timeout: 10_000 }).toBe('Link copied.');
    const copied = await p.evaluate(() => navigator.clipboard.readText());
    expect(new URL(copied).searchParams.get('q')).toBe(QUESTION);
  });

  it('with WEB_CHAT_TOKEN the page asks for the token first, refuses a wrong one, then answers', async () => {
    const url = await harness.serve({ token: TOKEN });
    const p = await page();
    await p.goto(`${url}/?q=${encodeURIComponent(QUESTION)}`);
    await p.locator('#login').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await p.locator('.turn').count()).toBe(0);
    await p.locator('#token').fill('not-the-right-token-0123456789');
    await p.locator('#token').press('Enter');
    await expect.poll(() => p.locator('#login-error').innerText(), { timeout: 15_000 }).toBe('That token was not accepted.');
    await p.locator('#token').fill(TOKEN);
    await p.locator('#login button[type=submit]').click();
    // The ?q= question waited for the sign-in and is answered now.
    const answer = await waitForAnswer(p, 1);
    expect(await answer.locator('a.cite').count()).toBeGreaterThan(0);
    expect(await p.locator('#login').isHidden()).toBe(true);
    expect(await p.evaluate(() => sessionStorage.getItem('docent.webChatToken'))).toBe(TOKEN);
  });
});
