import { DocentError } from '../core/errors.js';

/**
 * The time window of an insights report: `--since 24h|7d|30d|2w` back from now, never further back than the
 * activity log keeps records (`activity.retentionDays`): older lines are pruned by the running log at start and
 * daily, and a line it has not pruned yet (Docent was stopped) must not make a report reach past the retention.
 */

const HOUR_MS = 3_600_000;
const UNIT_MS: Record<string, number> = { h: HOUR_MS, d: 24 * HOUR_MS, w: 7 * 24 * HOUR_MS };

export interface ReportWindow {
  /** As asked, e.g. "7d". */
  label: string;
  /** ISO start (inclusive) and end of the window. */
  from: string;
  until: string;
  retentionDays: number;
  /** True when `--since` reached past the retention and the window was cut to it. */
  clamped: boolean;
}

/** Where a window was asked for, so a refusal names what the person typed: the CLI option or the URL parameter. */
export type SinceOrigin = 'cli' | 'http';

/**
 * Milliseconds of a `--since` value (`?since=` on /insights): a whole number of at least 1 and a unit h, d or w.
 * `0h` is refused with its own sentence rather than read as "nothing": a window of no time is an empty report, and
 * the person more likely meant "the last hour" or "today" (`1h`, `24h`). A refusal is a DocentError whose message
 * names `--since` (cli) or the query parameter `since` (http) and lists the forms that work.
 */
export function parseSince(spec: string, origin: SinceOrigin = 'cli'): number {
  const m = /^\s*(\d{1,5})\s*([hdw])\s*$/i.exec(spec);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]! : 0;
  if (m && ms > 0) return ms;
  const name = origin === 'cli' ? '--since' : 'The query parameter `since`';
  const examples = origin === 'cli' ? '24h, 7d, 2w or 30d' : '?since=24h, ?since=7d, ?since=2w or ?since=30d';
  // Echoed for the person who typed it: one short line, no control characters.
  const got = spec.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\ufffd').slice(0, 40);
  const message = m
    ? `${name} must be at least 1 hour: a window of 0 is empty (got "${got}"); for the last hour use ${origin === 'cli' ? '1h' : '?since=1h'}, for the last day ${origin === 'cli' ? '24h' : '?since=24h'}`
    : `${name} must be a whole number of hours (h), days (d) or weeks (w), e.g. ${examples}; months and years are not accepted (got "${got}")`;
  throw new DocentError('insights_since', 'user', message);
}

export function reportWindow(spec: string, retentionDays: number, now: number): ReportWindow {
  const asked = parseSince(spec);
  const kept = retentionDays * 24 * HOUR_MS;
  const span = Math.min(asked, kept);
  return { label: spec.trim().toLowerCase(), from: new Date(now - span).toISOString(), until: new Date(now).toISOString(), retentionDays, clamped: asked > kept };
}

/** UTC calendar days (YYYY-MM-DD) from the window's first to its last, both included. */
export function windowDays(w: Pick<ReportWindow, 'from' | 'until'>): string[] {
  const days: string[] = [];
  const end = w.until.slice(0, 10);
  for (let t = Date.parse(`${w.from.slice(0, 10)}T00:00:00Z`); ; t += 24 * HOUR_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    days.push(day);
    if (day >= end || days.length > 400) return days;
  }
}
