import type { Citation, DatasetCard } from '../../core/answer/types.js';
import { splitMessage } from '../shared/split-message.js';
import { defangUrls, defuseLinks } from '../shared/untrusted-text.js';
import type { Block } from './block.js';
import { cardBlocks } from './card-blocks.js';
import { escapeSlack, defuseWords, slackLink } from './mrkdwn.js';

/**
 * Block Kit pieces under an answer: the numbered source list, the cache note and the 👍/👎 buttons. Built in
 * mrkdwn for both streaming modes (native streams take them as `chat.stopStream` blocks).
 */

/** Slack's limit on a section block's text (https://docs.slack.dev/reference/block-kit/blocks/section-block/). */
export const SECTION_LIMIT = 3000;
/**
 * Slack's limit on blocks per message ("up to 50 blocks in each message", https://docs.slack.dev/reference/block-kit/blocks/);
 * chat.stopStream's `blocks` have a limit of 50 of their own, apart from the streamed text.
 */
export const MAX_BLOCKS = 50;

/** The line that starts the source list; history cuts a bot message there. */
export const SOURCES_HEADING = '*Sources*';

/**
 * One line per cited source: `[1] <https://…|Title> — page 3`, or the title and the file when there is no
 * link. Titles come from documents, so they are escaped and cannot ping, break the link or carry a link of
 * their own (their URLs are defanged); a link is made only from the record's http(s) URL.
 */
export function formatSourceList(citations: Citation[]): string {
  if (citations.length === 0) return '';
  const lines = citations.map((c) => {
    const title = c.title.trim() || c.sourceId || 'Untitled';
    const head = slackLink(c.url, title);
    const where = !head.startsWith('<') && c.path ? ` — \`${escapeSlack(defangUrls(c.path.replace(/[`\n]/g, "'")))}\`` : '';
    const page = c.page !== null ? ` — page ${c.page}` : '';
    return `[${c.n}] ${head}${where}${page}`;
  });
  return `${SOURCES_HEADING}\n${lines.join('\n')}`;
}

/** Removes a trailing source list from message text (for thread history). */
export function stripSourceList(text: string): string {
  const at = text.lastIndexOf(`\n${SOURCES_HEADING}\n`);
  if (at >= 0) return text.slice(0, at).trimEnd();
  return text.startsWith(`${SOURCES_HEADING}\n`) ? '' : text;
}

/**
 * mrkdwn section blocks for `text`, split under the section limit at readable boundaries. `verbatim: true`
 * turns off Slack's preprocessing of the text ("URLs will be auto-converted into links, conversation names
 * will be link-ified" otherwise — Block Kit text object reference) while keeping our own `<url|label>` links:
 * a second guard, after defanging, against a URL in answer text becoming a link.
 */
export function sectionBlocks(text: string): Block[] {
  if (!text.trim()) return [];
  return splitMessage(text, SECTION_LIMIT)
    .filter((t) => t.trim())
    .map((t) => ({ type: 'section', text: { type: 'mrkdwn', text: t, verbatim: true } }));
}

const ACTION_PREFIX = 'docent:fb';

/** The feedback action id for a vote; carries the answer id so a click needs no state (survives restarts). */
export function feedbackActionId(vote: 'up' | 'down', answerId: string): string {
  return `${ACTION_PREFIX}:${vote}:${answerId}`;
}

/** Matches our feedback action ids (for `app.action`). */
export const FEEDBACK_ACTION = /^docent:fb:(up|down):(.+)$/;

/** `{vote, answerId}` for one of our feedback action ids, else null. */
export function parseFeedbackAction(actionId: string): { vote: 'up' | 'down'; answerId: string } | null {
  const m = FEEDBACK_ACTION.exec(actionId);
  return m ? { vote: m[1] as 'up' | 'down', answerId: m[2]! } : null;
}

/** The 👍/👎 row; none when the answer id would make an action id longer than Slack's 255 characters. */
export function feedbackBlock(answerId: string): Block[] {
  if (feedbackActionId('down', answerId).length > 255) return [];
  const button = (vote: 'up' | 'down', label: string) => ({
    type: 'button',
    action_id: feedbackActionId(vote, answerId),
    value: answerId.slice(0, 2000),
    text: { type: 'plain_text', text: label, emoji: true },
  });
  return [{ type: 'actions', block_id: 'docent_feedback', elements: [button('up', '👍 Helpful'), button('down', '👎 Not helpful')] }];
}

export interface AnswerFooter {
  citations: Citation[];
  cached: boolean;
  /** Dataset cards for a catalog question (card-blocks.ts), shown between the answer and its sources. */
  cards?: DatasetCard[];
  /** Set for a finished answer: feedback buttons for it. Unset after an error (nothing to rate). */
  answerId?: string;
}

/**
 * Blocks under the answer: dataset cards, sources, cache note, buttons — never more than `room` blocks (Slack
 * allows 50 per message, https://docs.slack.dev/reference/block-kit/blocks/; the answer's own sections take
 * the rest). What does not fit is dropped in reverse order of importance: cards first (with a line saying how
 * many), then sources — which ten cards and 3000-character sections make a theoretical case.
 */
export function footerBlocks(f: AnswerFooter, room = MAX_BLOCKS): Block[] {
  const buttons = f.answerId ? feedbackBlock(f.answerId) : [];
  const note: Block[] = f.cached ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: 'Answered from the cache of recent answers.', verbatim: true }] }] : [];
  let sources = sectionBlocks(formatSourceList(f.citations));
  const space = room - buttons.length - note.length;
  if (sources.length > space) sources = sources.slice(0, Math.max(0, space));
  const cards = cardBlocks(f.cards ?? [], space - sources.length);
  return [...cards, ...sources, ...note, ...buttons];
}

/** Plain (mrkdwn) text for a command reply or a notice: escaped, no mass mention, no link. */
export function noticeText(text: string): string {
  return defuseWords(escapeSlack(defuseLinks(text)));
}
