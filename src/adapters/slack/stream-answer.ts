import type { AnswerPart, FinishInfo } from '../../core/answer/types.js';
import { DocentError } from '../../core/errors.js';
import type { Logger } from '../../logging/logger.js';
import { politeError } from '../console/render.js';
import { createThrottledEditor } from '../shared/throttled-editor.js';
import { defuseLinks, UntrustedStream } from '../shared/untrusted-text.js';
import { AnswerSegments } from './answer-segments.js';
import type { AnswerFooter } from './blocks.js';
import { NativeSurface } from './native-surface.js';
import { MESSAGE_LIMIT, slackErrorCode, STREAMABLE, type AnswerSurface, type AnswerTarget, type AnswerView, type WebClient } from './outgoing.js';
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
  client: WebClient;
  target: AnswerTarget;
  parts: AsyncIterable<AnswerPart>;
  answerId: string;
  streaming: StreamingChoice;
  /** Minimum time between appends / updates of one answer. */
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
}

/**
 * Renders an answer stream into the thread: opens a surface (native stream, else placeholder), feeds the text
 * through the segmenter and a throttled editor (one Slack call in flight, at most one state pending, ≥
 * `intervalMs` between calls), and finishes with sources and buttons — or one polite sentence after an error.
 *
 * The answer text is untrusted (model output, a not-found reply naming catalog titles): it is defused on the
 * way in (`defuseLinks`, see shared/untrusted-text.ts), so the segments both surfaces render hold no link
 * syntax and no followable URL. A stream filter does it, because a native stream cannot take back a URL whose
 * scheme arrived in the previous delta.
 */
export async function streamAnswer(o: StreamAnswerOptions): Promise<StreamedAnswer> {
  const surface = await openSurface(o);
  const segments = new AnswerSegments({ limit: MESSAGE_LIMIT, streamable: STREAMABLE, measure: (raw) => surface.measure(raw) });
  const live = (): AnswerView => segments.snapshot();
  // The editor's state is either "whatever the segments hold when the call goes out" or the final view, so
  // the snapshot (a little work on long answers) is made once per call rather than once per token.
  const editor = createThrottledEditor<'live' | AnswerView>({
    intervalMs: o.intervalMs,
    apply: (state) => surface.show(state === 'live' ? live() : state),
    onError: (err) => o.logger.warn({ err, code: slackErrorCode(err) }, 'streaming update failed; the next one carries the text'),
  });

  const defuse = new UntrustedStream(defuseLinks);
  let result: Omit<StreamedAnswer, 'edits' | 'messageTs' | 'mode'> | undefined;
  let footer: AnswerFooter = { citations: [], cached: false };
  let ending: string | undefined;
  try {
    for await (const part of o.parts) {
      if (part.type === 'text-delta') {
        segments.push(defuse.push(part.text));
        if (segments.text.trim()) editor.update('live');
      } else if (part.type === 'finish') {
        footer = { citations: part.info.citations, cached: part.info.cached, answerId: o.answerId, ...(part.info.cards?.length ? { cards: part.info.cards } : {}) };
        segments.push(defuse.flush());
        // The defused whole starts with what was streamed (the filter's guarantee), so it extends the segments.
        ending = defuseLinks(part.info.text);
        result = { outcome: 'finished', text: '', info: part.info };
        break;
      } else if (part.type === 'error') {
        result = { outcome: 'error', text: '' };
        segments.push(defuse.flush());
        ending = withError(segments.text, part.error, o.logger);
        break;
      }
    }
  } catch (err) {
    // The pipeline turns failures into parts; a throw here is a bug, still shown politely.
    const error = err instanceof DocentError ? err : new DocentError('answer_failed', 'internal', (err as Error).message, { cause: err });
    result = { outcome: 'error', text: '' };
    segments.push(defuse.flush());
    ending = withError(segments.text, error, o.logger);
  }
  if (!result) {
    result = { outcome: 'error', text: '' };
    segments.push(defuse.flush());
    ending = withError(segments.text, new DocentError('answer_incomplete', 'internal', 'the answer stream ended without finishing'), o.logger);
  }
  const streamedText = segments.text;
  const final = segments.finish(ending);
  if (result.outcome === 'finished' && !final.join('').trim()) final.splice(0, final.length, 'Sorry — no answer could be written. Please try again.');
  try {
    await editor.finish({ segments: final, tail: '', stable: 0, footer });
  } catch (err) {
    o.logger.error({ err, code: slackErrorCode(err) }, 'final answer update failed');
  }
  const text = result.outcome === 'finished' && ending?.startsWith(streamedText) ? ending : streamedText;
  return { ...result, text, mode: surface.mode, edits: editor.edits, messageTs: surface.messageTs };
}

/** The streamed text with the polite sentence after it (the log gets the detail). */
function withError(text: string, error: DocentError, logger: Logger): string {
  logger.error({ err: error, code: error.code, category: error.category }, 'answer failed');
  // The streamed text stays a prefix, so the segments already shown are kept and the sentence follows them.
  // A user-category error message can quote input (a date filter): defused like the answer text.
  const polite = defuseLinks(politeError(error));
  return text.trim() ? `${text}\n\n${polite}` : polite;
}

/** Native streaming when wanted and available, else the placeholder; learns `auto`'s answer once. */
async function openSurface(o: StreamAnswerOptions): Promise<AnswerSurface> {
  if (o.streaming.tryNative) {
    try {
      const native = await NativeSurface.open(o.client, o.target);
      o.streaming.nativeWorks = true;
      return native;
    } catch (err) {
      const code = slackErrorCode(err);
      if (code && NEVER_AVAILABLE.has(code) && o.streaming.preference === 'auto') o.streaming.nativeWorks = false;
      o.logger.warn({ err, code, preference: o.streaming.preference }, 'native streaming unavailable; answering with chat.update instead');
    }
  }
  return UpdateSurface.open(o.client, o.target);
}
