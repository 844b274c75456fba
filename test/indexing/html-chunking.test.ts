/** HTML pages chunk like Markdown: the loader's "#" heading lines become each chunk's heading path. */
import { describe, expect, it } from 'vitest';
import type { DocumentRecord } from '../../src/core/types.js';
import { chunkDocument } from '../../src/indexing/chunker.js';
import { htmlLoader } from '../../src/indexing/loaders/html-loader.js';

const opts = { size: 1000, overlap: 0, recordSize: 4000 };

async function load(html: string): Promise<DocumentRecord> {
  const [doc] = await htmlLoader.load({ absPath: '/d/p.html', relPath: 'p.html', sourceRoot: '/d', bytes: Buffer.from(html), mtime: null });
  return doc!;
}

describe('chunking HTML pages by their headings', () => {
  it('prefixes each chunk with title and section path, without repeating a title the <title> starts with', async () => {
    const doc = await load(`<html><head><title>os.path — Pathnames — Python 3.11 documentation</title></head><body>
      <div role="navigation"><a href="/">previous</a> | <a href="/">next</a></div>
      <div role="main"><h1>os.path — Pathnames</h1><p>Intro.</p><h2>Functions</h2><p>abspath returns a path.</p>
      <h3>Notes</h3><p>Bytes work too.</p><h2>Constants</h2><p>sep is a slash.</p></div></body></html>`);
    const chunks = chunkDocument(doc, opts);
    const title = 'os.path — Pathnames — Python 3.11 documentation';
    expect(chunks.map((c) => c.text)).toEqual([
      `${title}\n\nIntro.`,
      `${title} > Functions\n\nabspath returns a path.`,
      `${title} > Functions > Notes\n\nBytes work too.`,
      `${title} > Constants\n\nsep is a slash.`,
    ]);
  });

  it('does not take a "# comment" in a code block for a heading', async () => {
    const doc = await load('<title>Auth</title><h2>pg_hba.conf</h2><pre># TYPE  DATABASE  USER  ADDRESS  METHOD\nlocal   all       all            peer</pre><p>Reload after editing.</p>');
    const chunks = chunkDocument(doc, opts);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.text).toBe('Auth > pg_hba.conf\n\n```\n# TYPE  DATABASE  USER  ADDRESS  METHOD\nlocal   all       all            peer\n```\n\nReload after editing.');
  });

  it('in Markdown too: drops an outermost heading the title starts with, keeps the deeper ones', () => {
    const md: DocumentRecord = {
      sourceId: 'a.md', sourceRoot: 'r', kind: 'markdown', title: 'Access and citing', text: '# Access\n\nAsk.\n\n## Tokens\n\nKeep them secret.',
      url: null, path: null, page: null, modified: null, keywords: [], fields: {}, contentHash: 'h',
    };
    // The outermost heading "Access" is what the title starts with, so it is not repeated; deeper ones stay.
    expect(chunkDocument(md, opts).map((c) => c.text.split('\n')[0])).toEqual(['Access and citing', 'Access and citing > Tokens']);
  });
});
