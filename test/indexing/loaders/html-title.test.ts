/**
 * Issue 14 in the HTML loader: whoever wrote (or planted) a page controls its <title> and headings, and a title
 * travels to every surface and into the prompt. Link syntax and script URLs do not survive into the stored
 * title or the heading lines; ordinary titles are left exactly as they were.
 */
import { describe, expect, it } from 'vitest';
import { htmlLoader } from '../../../src/indexing/loaders/html-loader.js';
import { plainTitle } from '../../../src/indexing/loaders/html-text.js';

const load = async (html: string, relPath = 'page.html') =>
  (await htmlLoader.load({ absPath: `/d/${relPath}`, relPath, sourceRoot: '/d', bytes: Buffer.from(html), mtime: null }))[0]!;

/** Any Markdown link, image, reference link or autolink, or a script URL. */
const LINK_SYNTAX = /\]\(|\]\[|<[a-z][a-z0-9+.-]*:|(?:javascript|vbscript|data):\S/i;

describe('HTML page titles and headings are plain text', () => {
  it('stores a <title> written as a Markdown link as its label', async () => {
    const doc = await load('<html><head><title>[click](http://evil.example) Trail maps</title></head><body><p>Maps of the trails.</p></body></html>');
    expect(doc.title).toBe('click Trail maps');
  });

  it('drops a javascript: URL from the title, and falls back to the <h1> when nothing is left', async () => {
    const scripted = await load('<title>Trail maps <javascript:alert(1)> javascript:alert(document.cookie)</title><p>x</p>');
    expect(scripted.title).toBe('Trail maps');
    const empty = await load('<title>javascript:alert(1)</title><h1>Real <a href="javascript:steal()">heading</a></h1><p>x</p>');
    expect(empty.title).toBe('Real heading');
    expect(empty.text).not.toMatch(LINK_SYNTAX);
  });

  it('stores headings written as links as plain heading lines (they become chunk heading paths)', async () => {
    const doc = await load('<title>Guide</title><main><h2>[Download](https://evil.example/x) the data</h2><p>Steps.</p><h3>![logo](data:image/png;base64,AAAA) Setup &lt;https://evil.example/y&gt; &lt;javascript:alert(1)&gt;</h3><p>More.</p></main>');
    expect(doc.text).toBe('## Download the data\n\nSteps.\n\n### logo Setup https://evil.example/y\n\nMore.');
    expect(doc.text).not.toMatch(LINK_SYNTAX);
  });

  it('leaves ordinary titles alone, colons, brackets and parentheses included', () => {
    for (const title of ['Data: annual report (2011)', 'File:Map.pdf', 'Report [draft] — v2', 'JavaScript: the good parts', 'Q&A: a < b']) {
      expect(plainTitle(title)).toBe(title);
    }
  });

  it('unwraps nested and reference-style links, and keeps only http(s) autolinks, as bare text', () => {
    expect(plainTitle('[[a](http://x)](http://y) [ref][1] [c][] <https://ok.example/p> <ftp://f.example> x data:text/html,<b>y</b>')).toBe('a ref c https://ok.example/p x');
  });
});
