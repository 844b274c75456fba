import { redactUrl, redactUrlsInText } from '../core/redact-url.js';
import type { AnswerRecord } from '../runtime/activity-log.js';
import type { ActivityEntries, VoteEntry } from './activity-entries.js';
import { groupQuestions } from './question-groups.js';
import { windowDays, type ReportWindow } from './report-window.js';

/**
 * The insights report, computed from activity-log entries and the list of indexed records. Pure: the same
 * entries, catalog and window give the same report, so every figure is unit-tested without files or a clock.
 *
 * Privacy: user ids (already keyed hashes in the log) are only counted, never copied into the report. URLs in
 * free text are redacted (keys, tokens, userinfo) as on the status page. Text is otherwise kept as asked:
 * each renderer makes it inert for its medium (terminal, HTML, CSV).
 */

export interface RecordRef {
  sourceId: string;
  title: string;
  url: string | null;
}

/** The indexed records (one per source id), for never-cited sources; `available` false when there is no index. */
export interface CatalogRecords {
  available: boolean;
  records: RecordRef[];
}

export interface NotFoundGroup {
  /** How many times it was asked, and by how many distinct people (askers without an id, e.g. the terminal, count as one). */
  count: number;
  askers: number;
  /** The most frequent wording (ties: the latest), then the other distinct wordings, most frequent first. */
  example: string;
  wordings: string[];
  keyTerms: string[];
  firstAsked: string;
  lastAsked: string;
  surfaces: Record<string, number>;
  /** The records the search came closest with, most often first; empty for answers logged before this was kept. */
  closest: Array<RecordRef & { times: number }>;
}

export interface DownvotedAnswer {
  answerId: string;
  question: string;
  /** When it was answered (null when the answer has left the log but its vote has not yet). */
  answeredAt: string | null;
  lastVoteAt: string;
  down: number;
  up: number;
  surface: string;
  backend: string | null;
  notFound: boolean;
  sources: Array<RecordRef & { page: number | null }>;
}

export interface InsightsReport {
  generatedAt: string;
  window: ReportWindow;
  totals: { questions: number; answered: number; notFound: number; fallbacks: number; errors: number; cached: number; askers: number; votesUp: number; votesDown: number };
  /** Shares of all questions in the window (0..1); null without questions. */
  rates: { notFound: number | null; fallback: number | null; error: number | null };
  errorsByCode: Record<string, number>;
  surfaces: string[];
  perDay: Array<{ day: string; total: number; bySurface: Record<string, number> }>;
  notFound: NotFoundGroup[];
  downvoted: DownvotedAnswer[];
  mostCited: Array<RecordRef & { count: number }>;
  neverCited: { available: boolean; catalogRecords: number; count: number; shown: RecordRef[] };
  skippedLines: number;
  /** Plain sentences about gaps in the data (older lines without surfaces, closest records, …). */
  notes: string[];
}

export interface ReportLimits {
  mostCited: number;
  neverCitedShown: number;
}

const DEFAULT_LIMITS: ReportLimits = { mostCited: 15, neverCitedShown: 25 };
/** Canonical column order for the per-day table; other values seen (`unknown`) follow. */
const SURFACE_ORDER = ['discord', 'slack', 'web', 'console', 'api'];

const text = (s: string): string => redactUrlsInText(s);
const url = (u: string | null | undefined): string | null => (u ? redactUrl(u) : null);
const rate = (n: number, of: number): number | null => (of > 0 ? n / of : null);

export function computeInsights(entries: ActivityEntries, catalog: CatalogRecords, window: ReportWindow, limits: Partial<ReportLimits> = {}): InsightsReport {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  const from = Date.parse(window.from);
  const until = Date.parse(window.until);
  const inWindow = (at: string): boolean => {
    const t = Date.parse(at);
    return t >= from && t <= until;
  };
  const asked = entries.answers.filter((a) => inWindow(a.at));
  const answers = asked.filter((a) => !a.error);
  const failed = asked.filter((a) => a.error);
  const notFound = answers.filter((a) => a.notFound);
  const fallbacks = answers.filter((a) => (a.fallbacks?.length ?? 0) > 0);
  const votes = finalVotes(entries.votes).filter((v) => inWindow(v.at));
  const errorsByCode: Record<string, number> = {};
  for (const f of failed) errorsByCode[f.error!] = (errorsByCode[f.error!] ?? 0) + 1;

  const notes: string[] = [];
  const noSurface = asked.filter((a) => !a.surface).length;
  if (noSurface) notes.push(`${noSurface} question(s) were logged before Docent recorded where questions come from; they count as "unknown".`);
  const noNearest = notFound.filter((a) => !a.nearest && !a.fallbacks).length;
  if (noNearest) notes.push(`${noNearest} not-found question(s) were logged before Docent kept the closest records; they show none.`);
  if (window.clamped) notes.push(`The window was cut to the activity retention (${window.retentionDays} days): older records are not kept.`);
  if (entries.skipped) notes.push(`${entries.skipped} unreadable or incomplete line(s) in the activity log were skipped.`);

  const { surfaces, perDay } = questionsPerDay(asked, window);
  const cited = citedSources(answers, catalog);
  const citedIds = new Set(cited.map((c) => c.sourceId));
  const never = catalog.records.filter((r) => !citedIds.has(r.sourceId)).sort(byTitle);
  return {
    generatedAt: window.until,
    window,
    totals: {
      questions: asked.length, answered: answers.length - notFound.length, notFound: notFound.length, fallbacks: fallbacks.length, errors: failed.length,
      cached: answers.filter((a) => a.cached).length, askers: distinctAskers(asked), votesUp: votes.filter((v) => v.vote === 'up').length, votesDown: votes.filter((v) => v.vote === 'down').length,
    },
    rates: { notFound: rate(notFound.length, asked.length), fallback: rate(fallbacks.length, asked.length), error: rate(failed.length, asked.length) },
    errorsByCode,
    surfaces,
    perDay,
    notFound: notFoundGroups(notFound),
    downvoted: downvotedAnswers(votes, entries.answers),
    mostCited: cited.slice(0, lim.mostCited),
    neverCited: { available: catalog.available, catalogRecords: catalog.records.length, count: never.length, shown: never.slice(0, lim.neverCitedShown).map(cleanRef) },
    skippedLines: entries.skipped,
    notes,
  };
}

/** The last vote of each person on each answer (the log may hold a changed vote twice until its next rewrite). */
function finalVotes(votes: readonly VoteEntry[]): VoteEntry[] {
  const last = new Map<string, VoteEntry>();
  for (const v of votes) {
    const k = `${v.answerId}\0${v.user}`;
    const before = last.get(k);
    if (!before || Date.parse(v.at) >= Date.parse(before.at)) last.set(k, v);
  }
  return [...last.values()];
}

/** Distinct askers by hashed id; questions without one (the terminal) count as one asker per surface. */
function distinctAskers(answers: readonly AnswerRecord[]): number {
  return new Set(answers.map((a) => a.user ?? `surface:${a.surface ?? 'unknown'}`)).size;
}

function questionsPerDay(asked: readonly AnswerRecord[], window: ReportWindow): Pick<InsightsReport, 'surfaces' | 'perDay'> {
  const seen = new Set(asked.map((a) => a.surface ?? 'unknown'));
  const surfaces = [...SURFACE_ORDER.filter((s) => seen.has(s)), ...[...seen].filter((s) => !SURFACE_ORDER.includes(s)).sort()];
  const perDay = windowDays(window).map((day) => ({ day, total: 0, bySurface: Object.fromEntries(surfaces.map((s) => [s, 0])) as Record<string, number> }));
  const byDay = new Map(perDay.map((d) => [d.day, d]));
  for (const a of asked) {
    const d = byDay.get(new Date(Date.parse(a.at)).toISOString().slice(0, 10));
    if (!d) continue;
    d.total++;
    d.bySurface[a.surface ?? 'unknown']!++;
  }
  return { surfaces, perDay };
}

function notFoundGroups(notFound: readonly AnswerRecord[]): NotFoundGroup[] {
  const items = notFound.map((a) => ({ text: text(a.question), at: Date.parse(a.at), record: a }));
  return groupQuestions(items).map((g) => {
    const wordings = new Map<string, { n: number; last: number }>();
    const surfaces: Record<string, number> = {};
    const closest = new Map<string, RecordRef & { times: number }>();
    for (const m of g.members) {
      const key = m.text.replace(/\s+/g, ' ').trim();
      const w = wordings.get(key) ?? { n: 0, last: 0 };
      wordings.set(key, { n: w.n + 1, last: Math.max(w.last, m.at) });
      const s = m.record.surface ?? 'unknown';
      surfaces[s] = (surfaces[s] ?? 0) + 1;
      for (const r of m.record.nearest ?? []) {
        const c = closest.get(r.sourceId) ?? { ...cleanRef(r), times: 0 };
        c.times++;
        closest.set(r.sourceId, c);
      }
    }
    const ranked = [...wordings.entries()].sort(([ta, a], [tb, b]) => b.n - a.n || b.last - a.last || (ta < tb ? -1 : 1)).map(([t]) => t);
    return {
      count: g.members.length,
      askers: distinctAskers(g.members.map((m) => m.record)),
      example: ranked[0]!,
      wordings: ranked.slice(1),
      keyTerms: g.terms,
      firstAsked: new Date(g.members[0]!.at).toISOString(),
      lastAsked: new Date(g.members.at(-1)!.at).toISOString(),
      surfaces,
      closest: [...closest.values()].sort((a, b) => b.times - a.times || byTitle(a, b)).slice(0, 5),
    };
  });
}

function downvotedAnswers(votes: readonly VoteEntry[], answers: readonly AnswerRecord[]): DownvotedAnswer[] {
  const byId = new Map(answers.map((a) => [a.answerId, a]));
  const out = new Map<string, DownvotedAnswer>();
  for (const v of votes) {
    if (v.vote !== 'down') continue;
    const a = byId.get(v.answerId);
    const d = out.get(v.answerId) ?? {
      answerId: v.answerId, question: text(a?.question ?? v.question ?? ''), answeredAt: a?.at ?? null, lastVoteAt: v.at, down: 0, up: 0,
      surface: a?.surface ?? v.platform, backend: a?.backend ?? null, notFound: a?.notFound ?? false,
      sources: (a?.citations ?? v.sources).map((c) => ({ ...cleanRef(c), page: c.page ?? null })),
    };
    d.down++;
    if (v.at > d.lastVoteAt) d.lastVoteAt = v.at;
    out.set(v.answerId, d);
  }
  for (const v of votes) if (v.vote === 'up' && out.has(v.answerId)) out.get(v.answerId)!.up++;
  return [...out.values()].sort((a, b) => (a.lastVoteAt < b.lastVoteAt ? 1 : a.lastVoteAt > b.lastVoteAt ? -1 : 0) || (a.answerId < b.answerId ? -1 : 1));
}

/** Records cited by answers in the window: each answer counts once per record; most cited first. */
function citedSources(answers: readonly AnswerRecord[], catalog: CatalogRecords): Array<RecordRef & { count: number }> {
  const known = new Map(catalog.records.map((r) => [r.sourceId, r]));
  const counts = new Map<string, RecordRef & { count: number }>();
  for (const a of answers) {
    for (const sourceId of new Set(a.citations.map((c) => c.sourceId))) {
      const c = a.citations.find((x) => x.sourceId === sourceId)!;
      const prev = counts.get(sourceId);
      const ref = cleanRef({ sourceId, title: c.title, url: c.url ?? known.get(sourceId)?.url ?? null });
      counts.set(sourceId, { ...ref, count: (prev?.count ?? 0) + 1 });
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || byTitle(a, b));
}

function cleanRef(r: { sourceId: string; title: string; url?: string | null }): RecordRef {
  return { sourceId: text(r.sourceId), title: text(r.title || r.sourceId), url: url(r.url) };
}

function byTitle(a: RecordRef, b: RecordRef): number {
  return a.title.localeCompare(b.title, 'en') || (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0);
}
