import type { AnswerPart, FinishInfo } from '../../core/answer/types.js';
import type { DocentError } from '../../core/errors.js';
import type { Logger } from '../../logging/logger.js';
import { politeError } from '../shared/polite-error.js';
import { renderAnswer, type AnswerSurface as RenderSurface } from '../shared/answer-renderer.js';
import { defuseLinks, UntrustedStream } from '../shared/untrusted-text.js';
import { AnswerSegments } from './answer-segments.js';
import type { AnswerFooter } from './blocks.js';
import { toMrkdwn, toStreamMarkdown } from './mrkdwn.js';
import { NativeSurface } from './native-surface.js';
import { MESSAGE_LIMIT, slackErrorCode, STREAMABLE, type AnswerSurface, type AnswerTarget, type AnswerView } from './outgoing.js';
import type { SlackCalls } from './slack-calls.js';
import { UpdateSurface } from './update-surface.js';

/**
 * Which streaming to use, shared by all answers of one adapter: `auto` tries native streaming and, once
 * Slack has said the workspace or token cannot use it, stops trying.
 */
export class StreamingChoice {
  /** Learned in `auto` mode: false once chat.startStream failed as unsupported. */
  nativeWorks: boolean | undefined;
  constructor(readonly preference: 'auto' | 'native' | 'update') {}

  get tryNative(): boolean {
    return this.preference === 'native' || (this.preference === 'auto' && this.nativeWorks !== false);
  }
}

/**
 * Slack errors meaning "this workspace or token cannot stream at all" (an older Slack, a plan or token without
 * the feature). Other failures (a channel type that cannot stream, a passing error) fall back for that answer
 * only.
 */
const NEVER_AVAILABLE = new Set(['unknown_method', 'not_allowed', 'not_allowed_token_type', 'feature_not_enabled', 'missing_scope', 'not_enabled', 'team_not_allowed']);

export interface StreamAnswerOptions {
  calls: SlackCalls;
  target: AnswerTarget;
  parts: AsyncIterable<AnswerPart>;
  answerId: string;
  streaming: StreamingChoice;
  /** Minimum time between appends / updates of one answer (the shared budget may space them further). */
  intervalMs: number;
  logger: Logger;
}

export interface StreamedAnswer {
  outcome: 'finished' | 'error';
  mode: 'native' | 'update';
  /** The answer text as streamed (Markdown with its links defused, without sources). */
  text: string;
  info?: FinishInfo;
  /** Appends or updates made, the final one included. */
  edits: number;
  messageTs: string[];
  /** False when the final update could not be made (logged); then the answer may show half-written. */
  endShown: boolean;
}

/**
 * Renders an answer stream into the thread through the shared loop (shared/answer-renderer.ts): the text
 * goes through the segmenter; the first text opens the surface (a native stream when wanted, available and
 * within the startStream budget, else a reply edited with chat.update — or the placeholder posted up front
 * when native streaming is off); the end shows sources and buttons, or one polite sentence after an error.
 *
 * The answer text is untrusted (model output, a not-found reply naming catalog titles): it is defused on the
 * way in (`defuseLinks`, see shared/untrusted-text.ts), so the segments both surfaces render hold no link
 * syntax and no followable URL. A stream filter does it, because a native stream cannot take back a URL whose
 * scheme arrived in the previous delta.
 */
export async function streamAnswer(o: StreamAnswerOptions): Promise<StreamedAnswer> {
  let shown: AnswerSurface | undefined;
  // Until the surface is chosen its dialect is unknown: measure in the longer of the two, so no cut is too late.
  const segments = new AnswerSegments({
    limit: MESSAGE_LIMIT, streamable: STREAMABLE,
    measure: (raw) => shown?.measure(raw) ?? Math.max(toStreamMarkdown(raw).length, toMrkdwn(raw).length),
  });
  const defuse = new UntrustedStream(defuseLinks);
  let streamedText = '';
  let ending: string | undefined;

  const surface: RenderSurface = {
    limits: { messageChars: MESSAGE_LIMIT, minEditIntervalMs: o.intervalMs },
    async open() {
      // Without native streaming the placeholder tells the asker at once that Docent is on it.
      if (!o.streaming.tryNative) shown = await UpdateSurface.open(o.calls, o.target);
    },
    push(delta) {
      segments.push(defuse.push(delta));
      return segments.text.trim() !== '';
    },
    async showLive() {
      const view = segments.snapshot();
      shown ??= await choose(o, view);
      await shown.show(view);
    },
    async showEnd(end) {
      segments.push(defuse.flush());
      streamedText = segments.text;
      let footer: AnswerFooter = { citations: [], cached: false };
      if (end.outcome === 'finished') {
        const info = end.info;
        footer = { citations: info.citations, cached: info.cached, answerId: o.answerId, ...(info.cards?.length ? { cards: info.cards } : {}) };
        // The defused whole starts with what was streamed (the filter's guarantee), so it extends the segments.
        ending = defuseLinks(info.text);
      } else ending = withError(streamedText, end.error);
      const final = segments.finish(ending);
      if (end.outcome === 'finished' && !final.join('').trim()) final.splice(0, final.length, 'Sorry — no answer could be written. Please try again.');
      const view: AnswerView = { segments: final, tail: '', stable: 0, footer };
      shown ??= await choose(o, view);
      await shown.show(view);
    },
  };
  const rendered = await renderAnswer({ parts: o.parts, surface, logger: o.logger, errorCode: slackErrorCode });
  const text = rendered.outcome === 'finished' && ending?.startsWith(streamedText) ? ending : streamedText;
  return {
    outcome: rendered.outcome, ...(rendered.info ? { info: rendered.info } : {}), text, mode: shown?.mode ?? 'update',
    edits: rendered.edits, messageTs: shown?.messageTs ?? [], endShown: rendered.endShown,
  };
}

/** The streamed text with the polite sentence after it (the renderer logs the detail). */
function withError(text: string, error: DocentError): string {
  // The streamed text stays a prefix, so the segments already shown are kept and the sentence follows them.
  // A user-category error message can quote input (a date filter): defused like the answer text.
  const polite = defuseLinks(politeError(error));
  return text.trim() ? `${text}\n\n${polite}` : polite;
}

/**
 * The surface for an answer's first text: a native stream when wanted and available and the startStream
 * budget has a token now; otherwise a reply edited with chat.update (Tier 3 has more room than Tier 2, so
 * under load the overflow answers by update rather than waiting). Learns `auto`'s answer once.
 */
async function choose(o: StreamAnswerOptions, view: AnswerView): Promise<AnswerSurface> {
  if (o.streaming.tryNative) {
    try {
      const native = await NativeSurface.open(o.calls, o.target, view);
      o.streaming.nativeWorks = true;
      if (native) return native;
      o.logger.debug('chat.startStream budget spent; answering with chat.update');
    } catch (err) {
      const code = slackErrorCode(err);
      if (!code) throw err;
      if (NEVER_AVAILABLE.has(code) && o.streaming.preference === 'auto') o.streaming.nativeWorks = false;
      o.logger.warn({ err, code, preference: o.streaming.preference }, 'native streaming unavailable; answering with chat.update instead');
    }
  }
  return UpdateSurface.empty(o.calls, o.target);
}
