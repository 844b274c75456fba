import type { AnswerPart, Question } from '../src/core/answer/types.js';
import type { IndexProgress, IndexReport } from '../src/core/index-report.js';
import type { Invoker } from './invoker.js';

/**
 * Where a question was asked, as the activity log records it for `docent insights`' questions-per-surface table.
 * `api`: a program calling the services directly (reserved for callers that say so); `unknown`: could not tell.
 */
export type AnswerSurface = Invoker['platform'] | 'api' | 'unknown';

/** What `status` reports. */
export interface StatusReport {
  documents: number;
  chunks: number;
  indexVersion: number;
  builtAt: string;
  checkedAt: string;
  embedder: { id: string; fallback: boolean };
  /** Answer backends in chain order and whether each is currently usable (circuit closed or half-open). */
  backends: Array<{ id: string; healthy: boolean; state: string }>;
  answers: number;
  feedback: { up: number; down: number };
  reindexRunning: boolean;
  /** The reindex schedule of this process, if any. */
  schedule: { expression: string; timezone: string; nextRun: string | null } | null;
  /** The last reindex of each kind (schedule, admin, cli) and its outcome. */
  lastRuns: Array<{ trigger: string; finishedAt: string; ok: boolean; summary: string }>;
}

export interface SourceReport {
  sources: Array<{ source: string; documents: number; chunks: number }>;
}

/** What recording a vote did: a first vote, a changed one, the same again, or none (no such answer). */
export type FeedbackOutcome = 'recorded' | 'changed' | 'unchanged' | 'unknown-answer';

export interface Feedback {
  answerId: string;
  vote: 'up' | 'down';
  userId: string;
  platform: Invoker['platform'];
}

/**
 * Answering: what a chat surface needs to answer a question and take its 👍/👎. Everything a chat user can do
 * without being an admin goes through here.
 */
export interface AnsweringService {
  /**
   * Starts an answer; it is recorded (question, text, citations) under `answerId` when it finishes. A question
   * whose `sources` is `[]` (a channel with no catalog) gets a polite answer saying so; nothing is searched.
   * Aborting `signal` abandons the question (it leaves the queue, or stops answering) and ends the stream.
   * `surface` (discord, slack, web, console, api) is recorded with the answer for `docent insights`; without it
   * the runtime guesses from the asker id's shape (src/runtime/answer-surface.ts). `maxWaitMs` bounds this
   * question's wait for an answer slot below the configured bound: past it the stream is one polite `busy` error.
   */
  ask(question: Question, opts?: { signal?: AbortSignal; surface?: AnswerSurface; maxWaitMs?: number }): { answerId: string; parts: AsyncIterable<AnswerPart> };
  /**
   * One vote per person per answer (a new vote replaces theirs). A vote on an answer this Docent never recorded
   * (an old or forged id) is not counted and resolves `unknown-answer`, so a surface can say so.
   */
  recordFeedback(f: Feedback): Promise<FeedbackOutcome>;
}

/** Administration: the catalog's state and its rebuild. Reached through commands, which apply the access policy. */
export interface AdminService {
  status(): Promise<StatusReport>;
  sources(): Promise<SourceReport>;
  /**
   * Rebuilds the index and swaps it in; while a run is going, attaches to it (its progress and result). The
   * report has source URLs redacted: every surface may post it where others read it.
   */
  reindex(onProgress: (p: IndexProgress) => void): Promise<IndexReport>;
}

/** Policy from configuration: who is an admin, and which sources a channel may search. */
export interface AccessPolicy {
  /** The configured admin allow-list (user ids and role ids). Enforced by commands/access-policy.ts. */
  isAdmin(invoker: Invoker): boolean;
  /**
   * Per-channel source scoping from config (CHANNEL_SOURCES): undefined is the whole catalog, `[]` no catalog at
   * all (an unlisted channel or a DM when channels are scoped and there is no `default`). Pass the result as
   * `Question.sources` as is. `channelId` undefined means no chat channel (the operator's terminal).
   */
  scopeFor(channelId: string | undefined): string[] | undefined;
}

/**
 * What commands and adapters may ask of a running Docent: the three ports together. The runtime implements it;
 * a part that needs less takes the narrow port (the web chat API: answering and scoping; /status: admin), and
 * tests can pass a fake of just that.
 */
export interface DocentServices extends AnsweringService, AdminService, AccessPolicy {}
