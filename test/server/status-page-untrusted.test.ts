/**
 * Issue 14 on the status page: source names and reindex summaries come from configuration and documents, so a
 * Markdown link, an HTML anchor or a javascript: URL in them must arrive as text. The page's only links are its
 * own two (/metrics, /readyz); a browser does not linkify bare URLs in text, so escaping is the whole rule here.
 */
import { describe, expect, it } from 'vitest';
import { renderStatusPage, type StatusPageReport } from '../../src/server/status-page.js';

const now = new Date('2026-01-02T03:04:05Z');

const report: StatusPageReport = {
  documents: 3, chunks: 9, indexVersion: 4, builtAt: now.toISOString(), checkedAt: now.toISOString(),
  embedder: { id: 'hash', fallback: false },
  backends: [{ id: '[llm](http://evil.example/backend)', healthy: true, state: 'closed' }],
  answers: 1, feedback: { up: 0, down: 0 }, reindexRunning: false, schedule: null,
  lastRuns: [{ trigger: 'admin', finishedAt: now.toISOString(), ok: false, summary: 'skipped [click](http://evil.example) and <a href="javascript:alert(1)">x</a>' }],
  sources: [
    { source: '[x](http://evil)', documents: 2, chunks: 5 },
    { source: '<a href="javascript:alert(document.cookie)">maps</a> https://evil.example/bare', documents: 1, chunks: 4 },
  ],
};

describe('status page: no links from untrusted text', () => {
  it('shows link-shaped names and summaries as escaped text; its only anchors are its own', () => {
    const html = renderStatusPage(report, { title: '[Docent](http://evil.example/title)', now });
    const anchors = [...html.matchAll(/<a\b[^>]*>/gi)].map((m) => m[0]);
    expect(anchors).toEqual(['<a href="/metrics">', '<a href="/readyz">']);
    expect(html).not.toMatch(/href\s*=\s*["']?(?:javascript:|https?:\/\/evil)/i);
    expect(html).toContain('<code>[x](http://evil)</code>');
    expect(html).toContain('&lt;a href=&quot;javascript:alert(document.cookie)&quot;&gt;maps&lt;/a&gt; https://evil.example/bare');
    expect(html).toContain('skipped [click](http://evil.example) and &lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;');
    expect(html).toContain('<title>[Docent](http://evil.example/title)</title>');
  });
});
