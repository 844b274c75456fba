import type { AnswerPart, FinishInfo } from '../../core/answer/types.js';
import type { DocentError } from '../../core/errors.js';
import type { Logger } from '../../logging/logger.js';
import { politeError } from '../shared/polite-error.js';
import { cardEmbeds, cardsMarkdown } from './dataset-embeds.js';
import { feedbackButtons } from './feedback.js';
import type { MessageSeries } from './message-series.js';
import type { OutgoingMessage } from './outgoing.js';
import { safeMarkdown } from './sanitize.js';
import { formatFinalAnswer } from './source-list.js';
import { renderAnswer, type AnswerSurface } from '../shared/answer-renderer.js';
import { DISCORD_MESSAGE_LIMIT, splitMessage } from '../shared/split-message.js';

/**
 * Renders an answer stream into a message series through the shared loop (shared/answer-renderer.ts): text
 * streams in by throttled edits (≈ one per `editIntervalMs`, never two at once), spilling into further
 * messages past 2000 characters (in the answer's thread: see answer-thread.ts); at `finish`
 * the final text, the numbered sources and the feedback buttons replace the streaming state in one last
 * edit; an `error` part ends it with one polite sentence (the log keeps the detail). The text is untrusted
 * (a model can copy a planted link, a not-found reply names catalog titles): it is rendered with `safeMarkdown`
 * each time, so a link split across deltas is caught once complete.
 */
export interface StreamAnswerOptions {
  parts: AsyncIterable<AnswerPart>;
  series: MessageSeries;
  answerId: string;
  editIntervalMs: number;
  logger: Logger;
  /** Called once, after the first text is visible (the /ask flow opens its thread then). */
  onVisible?: () => void;
  /**
   * Whether dataset cards may be rich embeds here (default true). False where Discord would not show them — the
   * bot lacks Embed Links in the channel — and the cards go into the text as Markdown instead.
   */
  embeds?: boolean;
}

export interface StreamedAnswer {
  outcome: 'finished' | 'error';
  /** The answer text as shown (without sources), for thread history. */
  text: string;
  info?: FinishInfo;
  /** Edits the throttled editor made, the final one included. */
  edits: number;
}

export async function streamAnswer(o: StreamAnswerOptions): Promise<StreamedAnswer> {
  let text = '';
  const surface: AnswerSurface = {
    // Discord asks for about one edit a second on a streaming message; message content holds 2000 characters.
    limits: { messageChars: DISCORD_MESSAGE_LIMIT, minEditIntervalMs: o.editIntervalMs },
    push(delta) {
      text += delta;
      return text.trim() !== '';
    },
    showLive: () => o.series.show(streamingMessages(text)),
    async showEnd(ending) {
      if (ending.outcome === 'finished') {
        text = ending.info.text || text;
        await o.series.show(finalMessages(text, ending.info, o.answerId, { embeds: o.embeds ?? true }));
      } else await o.series.show(errorMessages(text, ending.error));
    },
  };
  const rendered = await renderAnswer({ parts: o.parts, surface, logger: o.logger, ...(o.onVisible ? { onVisible: o.onVisible } : {}) });
  return { outcome: rendered.outcome, text, ...(rendered.info ? { info: rendered.info } : {}), edits: rendered.edits };
}

/** The streaming state: the text so far, split into messages; no sources or buttons yet. */
export function streamingMessages(text: string): OutgoingMessage[] {
  return splitMessage(safeMarkdown(text)).map((content) => ({ content }));
}

/**
 * The finished answer: text + numbered sources + cache note, split, with feedback buttons on the last message —
 * and the dataset cards, if any: as embeds on the last message (the 2000-character split concerns the text
 * only; embeds have limits of their own, see dataset-embeds.ts), or as Markdown after the sources when
 * `embeds` is false. Cards that do not fit in one message's embeds are named in a note.
 */
export function finalMessages(
  text: string, info: Pick<FinishInfo, 'cached' | 'citations' | 'cards'>, answerId: string, opts: { embeds?: boolean } = {},
): OutgoingMessage[] {
  const cards = info.cards ?? [];
  const asEmbeds = cards.length > 0 && opts.embeds !== false ? cardEmbeds(cards) : undefined;
  const omitted = asEmbeds?.omitted ? `-# ${asEmbeds.omitted} more matching ${asEmbeds.omitted === 1 ? 'record is' : 'records are'} not shown as cards.` : '';
  const body = formatFinalAnswer(safeMarkdown(text), info, asEmbeds ? omitted : cardsMarkdown(cards));
  const full = body || (asEmbeds?.embeds.length ? '' : 'Sorry — no answer could be written. Please try again.');
  const messages: OutgoingMessage[] = (full ? splitMessage(full) : ['']).map((content) => ({ content }));
  const last = messages[messages.length - 1]!;
  last.components = feedbackButtons(answerId);
  if (asEmbeds?.embeds.length) last.embeds = asEmbeds.embeds;
  return messages;
}

function errorMessages(text: string, error: DocentError): OutgoingMessage[] {
  // A user-category error message can quote input (a date filter): untrusted like the rest.
  const polite = safeMarkdown(politeError(error));
  return splitMessage(text.trim() ? `${safeMarkdown(text).trimEnd()}\n\n${polite}` : polite).map((content) => ({ content }));
}
