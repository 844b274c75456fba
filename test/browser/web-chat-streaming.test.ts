/**
 * The web chat page with a model that takes its time: a loopback OpenAI-compatible fake (test/fakes) streams
 * scripted tokens to the real generator, through the real pipeline and API, into headless Chromium. The text
 * shows up while the answer is still being written, Stop aborts it on the server too, and an answer full of
 * markup (`<script>`, `javascript:` links, event handlers) is shown as text and runs nothing.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocentServices } from '../../commands/services.js';
import { script } from '../fakes/chat-script.js';
import { startFakeHfServer, type FakeHfServer } from '../fakes/fake-hf-server.js';
import { launchBrowser, runBrowserTests, startWebChatHarness, warnIfSkipped, type WebChatHarness } from './web-chat-harness.js';
import { openPage, waitForAnswer } from './web-chat-page.js';

warnIfSkipped('web chat streaming browser tests');

let fake: FakeHfServer;
let harness: WebChatHarness;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** The abort signal of every answer the API started, as the server saw it. */
const signals: AbortSignal[] = [];

const watchSignals = (s: DocentServices): DocentServices => ({
  ...s,
  ask(q, o) {
    if (o?.signal) signals.push(o.signal);
    return s.ask(q, o);
  },
});

async function page(): Promise<Page> {
  const p = await openPage(browser);
  contexts.push(p.context());
  // Every change of an answer's text, with the answer's state at that moment: proof of streaming that does not
  // depend on catching the page at the right instant.
  await p.addInitScript(() => {
    const w = window as unknown as { __renders: Array<{ state: string; text: string }> };
    w.__renders = [];
    new MutationObserver(() => {
      const a = document.querySelector('article.answer');
      const text = a?.querySelector('.answer-body')?.textContent ?? '';
      if (a && text !== w.__renders.at(-1)?.text) w.__renders.push({ state: a.getAttribute('data-state') ?? '', text });
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  return p;
}

describe.skipIf(!runBrowserTests)('web chat page in Chromium with a streaming model', () => {
  beforeAll(async () => {
    fake = await startFakeHfServer();
    [harness, browser] = await Promise.all([
      startWebChatHarness({ env: { OPENAI_BASE_URL: `${fake.url}/v1`, OPENAI_MODEL: 'fake-model' }, wrap: watchSignals }),
      launchBrowser(),
    ]);
  }, 180_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await harness?.close();
    await fake?.close();
  });

  it('shows the text while it is written, before the answer finishes', async () => {
    const tokens = ['Install the logger', ' in a shaded riffle', ' where the water', ' is well mixed', ' [1].'];
    fake.chat.enqueue(script({ tokens, delayMs: 400 }));
    const p = await page();
    await p.goto(`${harness.url}/?q=${encodeURIComponent('where should I install a temperature logger in a stream?')}`);
    const answer = await waitForAnswer(p, 1);
    expect(await answer.locator('.answer-body').innerText()).toMatch(/Install the logger in a shaded riffle where the water is well mixed/);
    const renders = await p.evaluate(() => (window as unknown as { __renders: Array<{ state: string; text: string }> }).__renders);
    const whileStreaming = renders.filter((r) => r.state === 'streaming' && r.text.length > 0);
    // At least two partial texts were on screen before `finish`, each shorter than the final answer.
    expect(new Set(whileStreaming.map((r) => r.text)).size).toBeGreaterThanOrEqual(2);
    expect(whileStreaming[0]!.text).toMatch(/^Install the logger/);
    expect(whileStreaming.every((r) => r.text.length < renders.at(-1)!.text.length)).toBe(true);
    expect(await answer.locator('.answer-meta').innerText()).toMatch(/Answered by .*fake-model/);
    expect(await answer.locator('.answer-note').count()).toBe(0);
    expect(await p.locator('#excerpts-note').isHidden()).toBe(true);
  });

  it('Stop ends the answer on the page and on the server', async () => {
    const tokens = ['Calibrate', ' the logger', ' against', ' a reference', ' thermometer', ' in an ice bath', ' [1].'];
    // Two tokens, then the model goes quiet (until the client gives up): the answer is mid-way when Stop is hit.
    fake.chat.enqueue(script({ tokens, stallAfter: 2 }));
    const answersBefore = (await harness.services.status()).answers;
    const p = await page();
    await p.goto(harness.url);
    await p.locator('#question').fill('how do I calibrate the temperature logger?');
    await p.locator('#question').press('Enter');
    await p.locator('.answer-body', { hasText: 'Calibrate the logger' }).waitFor({ timeout: 60_000 });
    const signal = signals.at(-1)!;
    expect(signal.aborted).toBe(false);
    await p.locator('#stop').click();
    const answer = await waitForAnswer(p, 1, 'stopped');
    expect(await answer.locator('.answer-status').innerText()).toBe('Stopped. The answer above is incomplete.');
    expect(await answer.locator('.answer-body').innerText()).toBe('Calibrate the logger');
    // The server saw the client go and aborted the answer: not finished, not recorded.
    await expect.poll(() => signal.aborted, { timeout: 15_000 }).toBe(true);
    expect((await harness.services.status()).answers).toBe(answersBefore);
    // The page is ready for the next question.
    expect(await p.locator('#stop').isHidden()).toBe(true);
    expect(await p.locator('#send').isEnabled()).toBe(true);
  });

  it('renders a hostile answer as inert text: no script runs, no javascript: link exists', async () => {
    fake.chat.enqueue(script({
      tokens: [
        '<script>window.__pwned = 1</script> ',
        'Snow pillows need checking after storms [1]. ',
        '[click me](javascript:window.__pwned=2) ',
        '<img src=x onerror="window.__pwned=3"> ',
        '[phish](https://evil.example.net/login) ',
        '**bold** stays.',
      ],
    }));
    const p = await page();
    await p.goto(`${harness.url}/?q=${encodeURIComponent('how are snow pillows maintained in winter?')}`);
    const answer = await waitForAnswer(p, 1);
    const body = answer.locator('.answer-body');
    const text = await body.innerText();
    expect(text).toContain('<script>window.__pwned = 1</script>');
    expect(text).toContain('[click me](javascript:window.__pwned=2)');
    expect(text).toContain('<img src=x onerror="window.__pwned=3">');
    expect(await body.locator('strong').innerText()).toBe('bold');
    expect(await p.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await body.locator('script, img, iframe, [onerror], [onclick], [style]').count()).toBe(0);
    const hrefs = await p.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    expect(hrefs.filter((h) => /^\s*javascript:/i.test(h) || h.includes('evil.example.net'))).toEqual([]);
    // The only links in the answer text are the numbered citations.
    expect(await body.locator('a:not(.cite)').count()).toBe(0);
    // Nothing even tried: no CSP violation, no error.
    expect(await p.evaluate(() => (window as unknown as { __problems: string[] }).__problems)).toEqual([]);
  });
});
