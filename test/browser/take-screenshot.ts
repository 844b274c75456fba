/**
 * Writes docs/web-chat.png, the screenshot the README and space/README.md show: the web chat on a phone-sized
 * screen answering a question over the sample catalog (no LLM: quoted excerpts). Run it after changing the page:
 *
 *   npx tsx test/browser/take-screenshot.ts [out.png]
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser, startWebChatHarness } from './web-chat-harness.js';
import { openPage, waitForAnswer } from './web-chat-page.js';

const repo = path.resolve(import.meta.dirname, '../..');
const out = path.resolve(process.argv[2] ?? path.join(repo, 'docs/web-chat.png'));
const question = 'where should I install a temperature logger in a stream?';

const harness = await startWebChatHarness();
const browser = await launchBrowser();
try {
  const page = await openPage(browser, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: 'light' });
  await page.goto(`${harness.url}/?q=${encodeURIComponent(question)}`);
  await waitForAnswer(page, 1);
  // Start of the answer at the top, so the picture shows question, text and citations rather than the header.
  await page.locator('.turn').first().evaluate((e) => e.scrollIntoView({ block: 'start' }));
  mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: false });
  console.log(`wrote ${path.relative(process.cwd(), out)} (${Math.round(statSync(out).size / 1024)} KB)`);
} finally {
  await browser.close();
  await harness.close();
}
