import type { webApi } from '@slack/bolt';
import type { AnswerFooter } from './blocks.js';

/**
 * Shared vocabulary of the Slack answer surfaces, and the payload rules every message obeys.
 */

export type WebClient = webApi.WebClient;

/** Where an answer goes: a thread (`threadTs` is its root) and who asked (native streams need the recipient). */
export interface AnswerTarget {
  channel: string;
  threadTs: string;
  userId: string;
  teamId?: string;
}

/**
 * Most rendered characters per answer message. Slack truncates `text` at 40k but answers `msg_too_long` well
 * before that in places and recommends ~4k; a section block holds 3000. 2900 keeps every message one section
 * (with room for the escapes a cut can add) and reads well in a thread.
 */
export const MESSAGE_LIMIT = 2900;
/**
 * Of the open part of an answer, this much may be streamed irrevocably before its cut is known; the cut is
 * then chosen in the last 600 characters of the message (a paragraph or sentence end is nearly always there).
 */
export const STREAMABLE = 2300;

/** What an answer surface shows: committed segments, the open tail (while streaming), and the footer at the end. */
export interface AnswerView {
  segments: string[];
  tail: string;
  /** Raw characters of `tail` that are stable (see AnswerSegments). */
  stable: number;
  /** Present on the final view only. */
  footer?: AnswerFooter;
}

/** One way of showing an answer in Slack: native streaming or a placeholder edited with chat.update. */
export interface AnswerSurface {
  readonly mode: 'native' | 'update';
  /** Rendered length of raw answer text in this surface's dialect. */
  measure(raw: string): number;
  /** Brings Slack to `view`; one call at a time (the throttled editor guarantees it). */
  show(view: AnswerView): Promise<void>;
  /** Timestamps of the messages this answer occupies, in order. */
  readonly messageTs: string[];
}

/**
 * Options on every message Docent posts: no link or media previews (answers and source lists are full of
 * links whose unfurls would bury the text) and no name linking (`@here` stays a word).
 */
export const POST_OPTIONS = { unfurl_links: false, unfurl_media: false, link_names: false } as const;

/** The Web API error code (`unknown_method`, `not_allowed`, …) of a failed call, if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
