import type { AnswerPart, FinishInfo } from '../../core/answer/types.js';
import { DocentError } from '../../core/errors.js';
import type { Logger } from '../../logging/logger.js';
import { politeError } from '../console/render.js';
import { cardEmbeds, cardsMarkdown } from './dataset-embeds.js';
import { feedbackButtons } from './feedback.js';
import type { MessageSeries } from './message-series.js';
import type { OutgoingMessage } from './outgoing.js';
import { safeMarkdown } from './sanitize.js';
import { formatFinalAnswer } from './source-list.js';
import { splitMessage } from '../shared/split-message.js';
import { createThrottledEditor } from '../shared/throttled-editor.js';

/**
 * Renders an answer stream into a message series: text streams in by throttled edits (≈ one per
 * `editIntervalMs`, never two at once), spilling into follow-up messages past 2000 characters; at `finish`
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
  let visible = false;
  const editor = createThrottledEditor<OutgoingMessage[]>({
    intervalMs: o.editIntervalMs,
    apply: async (messages) => {
      await o.series.show(messages);
      if (!visible) {
        visible = true;
        o.onVisible?.();
      }
    },
    // A failed intermediate edit is not fatal: the next one (or the final) carries the whole text again.
    onError: (err) => o.logger.warn({ err }, 'streaming edit failed'),
  });

  let text = '';
  let result: StreamedAnswer | undefined;
  let final: OutgoingMessage[] | undefined;
  try {
    for await (const part of o.parts) {
      if (part.type === 'text-delta') {
        text += part.text;
        if (text.trim()) editor.update(streamingMessages(text));
      } else if (part.type === 'finish') {
        text = part.info.text || text;
        final = finalMessages(text, part.info, o.answerId, { embeds: o.embeds ?? true });
        result = { outcome: 'finished', text, info: part.info, edits: 0 };
        break;
      } else if (part.type === 'error') {
        final = errorMessages(text, part.error, o.logger);
        result = { outcome: 'error', text, edits: 0 };
        break;
      }
    }
  } catch (err) {
    // The pipeline turns failures into parts; a throw here is a bug, still shown politely.
    const error = err instanceof DocentError ? err : new DocentError('answer_failed', 'internal', (err as Error).message, { cause: err });
    final = errorMessages(text, error, o.logger);
    result = { outcome: 'error', text, edits: 0 };
  }
  if (!final || !result) {
    final = errorMessages(text, new DocentError('answer_incomplete', 'internal', 'the answer stream ended without finishing'), o.logger);
    result = { outcome: 'error', text, edits: 0 };
  }
  try {
    await editor.finish(final);
  } catch (err) {
    o.logger.error({ err }, 'final answer edit failed');
  }
  return { ...result, edits: editor.edits };
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

function errorMessages(text: string, error: DocentError, logger: Logger): OutgoingMessage[] {
  logger.error({ err: error, code: error.code, category: error.category }, 'answer failed');
  // A user-category error message can quote input (a date filter): untrusted like the rest.
  const polite = safeMarkdown(politeError(error));
  return splitMessage(text.trim() ? `${safeMarkdown(text).trimEnd()}\n\n${polite}` : polite).map((content) => ({ content }));
}
