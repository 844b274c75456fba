import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { AnswerRecord, FeedbackLine } from '../runtime/activity-log.js';
import { parseJsonLines } from '../runtime/json-lines.js';

/**
 * Reads the activity log (`<dataDir>/activity/answers.jsonl` and `feedback.jsonl`, see src/runtime/activity-log.ts)
 * for the insights report — read-only, on purpose: a report must never rewrite, prune or re-key the files a running
 * Docent is appending to, so this does not open an ActivityLog. Lines that do not parse, or lack the fields a
 * report needs, are counted and skipped (a crash can cut the last line; the running log repairs it itself).
 */

/** A feedback line as the activity log writes it; `user` is already a keyed hash (`h:…`) unless hashing is off. */
export type VoteEntry = FeedbackLine;

export interface ActivityEntries {
  answers: AnswerRecord[];
  votes: VoteEntry[];
  /** Lines skipped because they were unreadable or incomplete. */
  skipped: number;
}

export function activityDir(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'activity');
}

/** Both files' entries; a missing file (no question asked yet) is an empty list, not an error. */
export async function readActivityEntries(dataDir: string): Promise<ActivityEntries> {
  const dir = activityDir(dataDir);
  const a = await readJsonLines(path.join(dir, 'answers.jsonl'));
  const f = await readJsonLines(path.join(dir, 'feedback.jsonl'));
  const answers = a.values.filter(isAnswer);
  const votes = f.values.filter(isVote).map((v) => ({ ...v, question: v.question ?? null, sources: Array.isArray(v.sources) ? v.sources : [] }));
  const skipped = a.bad + f.bad + (a.values.length - answers.length) + (f.values.length - votes.length);
  return { answers, votes, skipped };
}

async function readJsonLines(file: string): Promise<{ values: unknown[]; bad: number }> {
  const values: unknown[] = [];
  const bad = 0;
  try {
    if (!(await stat(file)).isFile()) return { values, bad };
  } catch {
    return { values, bad };
  }
  return parseJsonLines(file);
}

function isAnswer(v: unknown): v is AnswerRecord {
  const r = v as Partial<AnswerRecord> | null;
  return typeof r === 'object' && r !== null && typeof r.answerId === 'string' && typeof r.at === 'string' && Number.isFinite(Date.parse(r.at))
    && typeof r.question === 'string' && Array.isArray(r.citations);
}

function isVote(v: unknown): v is VoteEntry {
  const r = v as Partial<VoteEntry> | null;
  return typeof r === 'object' && r !== null && typeof r.answerId === 'string' && typeof r.at === 'string' && Number.isFinite(Date.parse(r.at))
    && (r.vote === 'up' || r.vote === 'down') && typeof r.user === 'string';
}
