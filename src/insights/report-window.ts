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

/** Milliseconds of a `--since` value: a whole number and a unit h, d or w. */
export function parseSince(spec: string): number {
  const m = /^\s*(\d{1,5})\s*([hdw])\s*$/i.exec(spec);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]! : 0;
  if (!m || ms <= 0) {
    throw new DocentError('insights_since', 'user', `--since must be a number of hours, days or weeks, e.g. 24h, 7d or 30d (got "${spec.slice(0, 40)}")`);
  }
  return ms;
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
