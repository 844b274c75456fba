import { describe, expect, it } from 'vitest';
import type { ActivityEntries, VoteEntry } from '../../src/insights/activity-entries.js';
import { computeInsights, type CatalogRecords } from '../../src/insights/insights-report.js';
import { renderInsightsCsv } from '../../src/insights/render-csv.js';
import { renderInsightsHtml } from '../../src/insights/render-html.js';
import { renderInsightsText } from '../../src/insights/render-text.js';
import { parseSince, reportWindow } from '../../src/insights/report-window.js';
import type { AnswerRecord } from '../../src/runtime/activity-log.js';

const NOW = Date.parse('2026-05-11T08:00:00Z'); // a Monday morning
const DAY = 86_400_000;
const iso = (daysAgo: number, h = 0) => new Date(NOW - daysAgo * DAY + h * 3_600_000).toISOString();

const guide = { sourceId: 'guides/sensor-network.md', title: 'The sensor network', url: null };
const snow = { sourceId: 'ds-snow', title: 'Snow Depth and SWE', url: 'https://data.example.org/snow?api_key=s3cret' };
const fire = { sourceId: 'ds-fire', title: 'Fire History', url: 'https://data.example.org/fire' };
const lidar = { sourceId: 'ds-lidar', title: 'LiDAR Elevation Model', url: 'https://data.example.org/lidar' };
const catalog: CatalogRecords = { available: true, records: [guide, snow, fire, lidar] };

let n = 0;
function answer(over: Partial<AnswerRecord> & { question: string; at: string }): AnswerRecord {
  return { answerId: `a${++n}`, searchQuery: over.question, backend: 'hf:llama', cached: false, notFound: false, citations: [], surface: 'discord', fallbacks: [], ...over };
}
const cite = (r: { sourceId: string; title: string; url: string | null }, i = 1) => ({ n: i, title: r.title, sourceId: r.sourceId, page: null, url: r.url });

const answers: AnswerRecord[] = [
  answer({ question: 'snow depth at the ridge?', at: iso(1), citations: [cite(snow), cite(guide, 2)], user: 'h:aa' }),
  answer({ question: 'how is stream temperature measured', at: iso(2), citations: [cite(guide)], surface: 'slack', user: 'h:bb', fallbacks: ['hf:llama'], backend: 'extractive' }),
  answer({ question: 'Where is LiDAR for Oregon?', at: iso(1), notFound: true, backend: 'none', nearest: [{ ...lidar, page: null }, { ...fire, page: null }], user: 'h:aa' }),
  answer({ question: 'oregon lidar data', at: iso(3), notFound: true, backend: 'none', nearest: [{ ...lidar, page: null }], surface: 'web', user: 'h:cc' }),
  answer({ question: 'Oregon LiDAR data?', at: iso(0, -1), notFound: true, backend: 'none', nearest: [{ ...lidar, page: null }], surface: 'web', user: 'h:cc' }),
  answer({ question: '\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\ <script>alert(1)</script> =HYPERLINK("x")', at: iso(2), notFound: true, backend: 'none', surface: 'console' }),
  answer({ question: 'fire history', at: iso(1), surface: 'slack', error: 'busy', citations: [], backend: 'none' }),
  // Outside a 7-day window, and an older line without the newer fields.
  answer({ question: 'old question', at: iso(9), notFound: true }),
  { answerId: 'legacy', at: iso(4), question: 'legacy answer', searchQuery: 'legacy answer', backend: 'hf:llama', cached: true, notFound: false, citations: [cite(snow)] },
];
const vote = (answerId: string, v: 'up' | 'down', user: string, at: string): VoteEntry => ({ answerId, vote: v, user, at, platform: 'discord', question: null, sources: [] });
const votes: VoteEntry[] = [
  vote('a1', 'up', 'h:x', iso(1, 1)),
  vote('a1', 'down', 'h:x', iso(1, 2)), // changed vote: the later one counts
  vote('a1', 'down', 'h:y', iso(0, -2)),
  vote('a2', 'up', 'h:z', iso(2, 1)),
];
const entries: ActivityEntries = { answers, votes, skipped: 1 };
const report = computeInsights(entries, catalog, reportWindow('7d', 30, NOW));

describe('the insights report', () => {
  it('counts questions and rates over the window only', () => {
    expect(report.totals).toEqual({ questions: 8, answered: 3, notFound: 4, fallbacks: 1, errors: 1, cached: 1, askers: 6, votesUp: 1, votesDown: 2 });
    expect(report.rates.notFound).toBeCloseTo(4 / 8);
    expect(report.rates.error).toBeCloseTo(1 / 8);
    expect(report.errorsByCode).toEqual({ busy: 1 });
  });

  it('groups not-found questions with counts, askers, example, last asked, closest records', () => {
    const [lidarGroup, hostile] = report.notFound;
    expect(lidarGroup).toMatchObject({ count: 3, askers: 2, lastAsked: iso(0, -1), surfaces: { discord: 1, web: 2 } });
    expect([lidarGroup!.example, ...lidarGroup!.wordings].sort()).toEqual(['Oregon LiDAR data?', 'Where is LiDAR for Oregon?', 'oregon lidar data'].sort());
    expect(lidarGroup!.closest.map((c) => [c.title, c.times])).toEqual([['LiDAR Elevation Model', 3], ['Fire History', 1]]);
    expect(hostile!.count).toBe(1);
    expect(report.notFound).toHaveLength(2);
  });

  it('lists 👎 answers with question, sources and surface, counting each person’s last vote', () => {
    expect(report.downvoted).toEqual([expect.objectContaining({ answerId: 'a1', question: 'snow depth at the ridge?', down: 2, up: 0, surface: 'discord', answeredAt: iso(1) })]);
    // URLs are redacted: the api_key never reaches the report.
    expect(report.downvoted[0]!.sources.map((s) => s.title)).toEqual(['Snow Depth and SWE', 'The sensor network']);
    expect(JSON.stringify(report)).not.toContain('s3cret');
  });

  it('ranks cited sources and lists the never-cited ones', () => {
    expect(report.mostCited.map((c) => [c.sourceId, c.count])).toEqual([['ds-snow', 2], ['guides/sensor-network.md', 2]]); // ties: by title
    expect(report.neverCited).toMatchObject({ available: true, catalogRecords: 4, count: 2 });
    expect(report.neverCited.shown.map((s) => s.title)).toEqual(['Fire History', 'LiDAR Elevation Model']);
  });

  it('counts questions per day and surface, every day of the window shown', () => {
    expect(report.perDay).toHaveLength(8);
    expect(report.surfaces).toEqual(['discord', 'slack', 'web', 'console', 'unknown']);
    expect(report.perDay.at(-1)).toEqual({ day: '2026-05-11', total: 1, bySurface: { discord: 0, slack: 0, web: 1, console: 0, unknown: 0 } });
    expect(report.notes.join(' ')).toMatch(/1 question\(s\) were logged before .* "unknown"/);
  });

  it('never reaches past the retention, and rejects a malformed --since', () => {
    const w = reportWindow('30d', 7, NOW);
    expect(w.clamped).toBe(true);
    expect(w.from).toBe(iso(7));
    expect(() => parseSince('forever')).toThrow(/--since must be a whole number of hours \(h\), days \(d\) or weeks \(w\), e\.g\. 24h, 7d, 2w or 30d/);
    expect(() => parseSince('1y')).toThrow(/months and years are not accepted \(got "1y"\)/);
    expect(() => parseSince('0h')).toThrow(/--since must be at least 1 hour: a window of 0 is empty \(got "0h"\); for the last hour use 1h/);
    expect(parseSince('24h')).toBe(DAY);
  });
});

describe('rendering untrusted questions inert', () => {
  const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  const odd = `a\u0000b\u0085c\u202ed\u2066e\u2069f\u001b[31mg\r\nh`;
  const withOdd = { ...report, notFound: [{ ...report.notFound[0]!, example: odd, wordings: [odd] }], downvoted: report.downvoted.map((d) => ({ ...d, question: odd })) };

  it('every renderer shows control characters and bidi overrides as U+FFFD', () => {
    const html = renderInsightsHtml(withOdd);
    expect(html).not.toMatch(UNSAFE);
    expect(html).toContain('a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffd[31mg\nh');
    const csv = renderInsightsCsv(withOdd);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(UNSAFE);
    expect(csv).toContain('a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffd[31mg h');
    const text = renderInsightsText(withOdd);
    expect(text).not.toMatch(UNSAFE);
    expect(text).toContain('a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffd[31mg h');
  });

  it('terminal text has no control characters and no user ids', () => {
    const text = renderInsightsText(report);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('<script>alert(1)</script>'); // shown as typed: a terminal does not run HTML
    expect(text).not.toMatch(/h:aa|h:cc/);
    expect(text).toMatch(/×3 \(2 people\)/);
  });

  it('HTML escapes questions and links only http(s) URLs', () => {
    const html = renderInsightsHtml({ ...report, mostCited: [...report.mostCited, { sourceId: 'x', title: 'bad link', url: 'javascript:alert(1)', count: 1 }] });
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/href="javascript:/);
    expect(html).toContain('<a href="https://data.example.org/lidar" rel="noreferrer noopener">LiDAR Elevation Model</a>');
    expect(html).toContain('name="viewport"');
  });

  it('CSV is one table; formula-like cells are defused and quotes escaped', () => {
    const csv = renderInsightsCsv(report).split('\r\n');
    expect(csv[0]).toBe('kind,count,people,up_votes,last_at,surfaces,question,other_wordings,sources,answer_id');
    expect(csv.filter((l) => l.startsWith('not-found,'))).toHaveLength(2);
    expect(csv.filter((l) => l.startsWith('thumbs-down,'))).toEqual([expect.stringMatching(/^thumbs-down,2,2,0,.*,a1$/)]);
    const hostile = csv.find((l) => l.includes('HYPERLINK'))!;
    expect(hostile).not.toMatch(/[\u0000-\u001f]/);
    expect(hostile).toContain('""x""');
    const formula = renderInsightsCsv({ ...report, notFound: [{ ...report.notFound[0]!, example: '=cmd|calc' }], downvoted: [] }).split('\r\n')[1]!;
    expect(formula).toContain(",'=cmd|calc,");
  });
});
