/**
 * The status page is public. An index built before source URLs were redacted still has them, keys and all,
 * in its manifest and run history; the page must show them redacted anyway.
 */
import { describe, expect, it } from 'vitest';
import { renderStatusPage, type StatusPageReport } from '../../src/server/status-page.js';

const now = new Date('2026-01-02T03:04:05Z');
const PASSWORD = 'hunter2-Very-Secret';
const KEY = 'ak_9f8e7d6c5b4a3210';
const feed = `https://reader:${PASSWORD}@data.example.org/data.json?api_key=${KEY}&format=json`;

const report: StatusPageReport = {
  documents: 3, chunks: 9, indexVersion: 4, builtAt: now.toISOString(), checkedAt: now.toISOString(),
  embedder: { id: 'hash', fallback: false },
  backends: [{ id: `openai:https://gw.example.edu/v1?key=${KEY}`, healthy: true, state: 'closed' }],
  answers: 1, feedback: { up: 0, down: 0 }, reindexRunning: false, schedule: null,
  lastRuns: [{ trigger: 'schedule', finishedAt: now.toISOString(), ok: false, summary: `could not fetch ${feed}: HTTP 503` }],
  sources: [{ source: feed, documents: 2, chunks: 5 }, { source: 'data/sample', documents: 1, chunks: 4 }],
};

describe('status page: credentials in URLs', () => {
  it('shows sources, run summaries and backend ids with userinfo and keys redacted', () => {
    const html = renderStatusPage(report, { title: 'Docent', now });
    expect(html).not.toContain(PASSWORD);
    expect(html).not.toContain(KEY);
    expect(html).not.toContain('reader:');
    expect(html).toContain('<code>https://data.example.org/data.json?api_key=REDACTED&amp;format=json</code>');
    expect(html).toContain('could not fetch https://data.example.org/data.json?api_key=REDACTED&amp;format=json: HTTP 503');
    expect(html).toContain('<code>openai:https://gw.example.edu/v1?key=REDACTED</code>');
    // A folder source is shown as configured.
    expect(html).toContain('<code>data/sample</code>');
  });
});
