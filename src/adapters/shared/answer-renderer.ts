import type { AnswerPart, FinishInfo, Passage } from '../../core/answer/types.js';
import { DocentError } from '../../core/errors.js';
import type { Logger } from '../../logging/logger.js';
import { createThrottledEditor, type EditorClock } from './throttled-editor.js';

/**
 * The one answer-rendering loop every chat surface uses (Discord, Slack, the console; the web chat next).
 * It consumes the `AnswerPart` stream once — sources, text deltas, finish (with cards and notes in its info),
 * error parts, a stream that throws, a stream that ends without finishing — and drives a small per-platform
 * surface: `push` takes text, `showLive` brings the platform to the answer as it stands (an edit, a stream
 * append, a print), `showEnd` shows the ending. The platform's limits decide the pace: at most one live call
 * in flight, at least `minEditIntervalMs` (or 60 s / `editsPerMinute`) between starts, states arriving in
 * between coalesced, and the ending always shown, after the call in flight, without waiting for the interval.
 *
 * Anchor: vercel/chat's `ThreadImpl.handleStream` (one loop; adapters provide post / edit / native stream).
 * Here the surface owns "post, edit or stream", because what is cheap differs per platform (Slack's native
 * stream cannot take text back; Discord re-renders the whole message), and the loop owns everything that
 * must not differ: what counts as an ending, which errors are shown, the pacing, the logging.
 */

/** How an answer ended. Every way a stream can end maps to one of these two. */
export type AnswerEnding = { outcome: 'finished'; info: FinishInfo } | { outcome: 'error'; error: DocentError };

/** What a platform allows one answer, as the loop paces by it. */
export interface SurfaceLimits {
  /** Most characters one message holds (the surface splits by it; listed so every limit lives in one place). */
  messageChars: number;
  /** Least time between the starts of two live calls of one answer. */
  minEditIntervalMs: number;
  /** Live calls one answer may make per minute, if the platform counts them; widens the interval to fit. */
  editsPerMinute?: number;
}

/** One platform's way of showing an answer. Calls are never concurrent (the loop awaits each). */
export interface AnswerSurface {
  readonly limits: SurfaceLimits;
  /** Called once before the first part, e.g. to post a placeholder. Optional: a native stream opens at the first text. */
  open?(): Promise<void>;
  /** The retrieved passages, before any text (a surface may show a status; none needs to). */
  sources?(passages: Passage[]): void;
  /** Takes streamed (untrusted) text; true when the answer now has something worth showing. */
  push(delta: string): boolean;
  /** Shows the answer as it stands. A failure is logged and the stream goes on: the next call carries the text. */
  showLive(): Promise<void>;
  /** Shows the ending: the final text with sources, cards, notes and buttons, or the text so far and one polite sentence. */
  showEnd(ending: AnswerEnding): Promise<void>;
}

export interface RenderAnswerOptions {
  parts: AsyncIterable<AnswerPart>;
  surface: AnswerSurface;
  logger: Logger;
  /** Called once, after the first call that showed something succeeded (Discord's /ask opens its thread then). */
  onVisible?: () => void;
  /** Describes a platform error for the log (Slack's `data.error` code). */
  errorCode?: (err: unknown) => string | undefined;
  clock?: EditorClock;
}

export interface RenderedAnswer {
  outcome: 'finished' | 'error';
  info?: FinishInfo;
  /** Live and final calls started, the final one included (for logs and benchmarks). */
  edits: number;
  /** False when the ending could not be shown (logged as an error); the platform may show a partial answer. */
  endShown: boolean;
}

/** The interval a surface's limits allow: the larger of its minimum and its per-minute budget. */
export function editInterval(limits: SurfaceLimits): number {
  const perMinute = limits.editsPerMinute ? 60_000 / limits.editsPerMinute : 0;
  return Math.max(limits.minEditIntervalMs, perMinute);
}

export async function renderAnswer(o: RenderAnswerOptions): Promise<RenderedAnswer> {
  const { surface, logger } = o;
  const code = (err: unknown) => o.errorCode?.(err);
  let visible = false;
  const editor = createThrottledEditor<'live' | AnswerEnding>({
    intervalMs: editInterval(surface.limits),
    ...(o.clock ? { clock: o.clock } : {}),
    apply: async (state) => {
      // The live state is read when the call goes out, not when the text arrived: one snapshot per call.
      await (state === 'live' ? surface.showLive() : surface.showEnd(state));
      if (!visible) {
        visible = true;
        o.onVisible?.();
      }
    },
    // A failed live call is not fatal: the next one (or the ending) carries the whole text again.
    onError: (err) => logger.warn({ err, code: code(err) }, 'streaming update failed; the next one carries the text'),
  });

  await surface.open?.();
  let ending: AnswerEnding | undefined;
  try {
    for await (const part of o.parts) {
      if (part.type === 'sources') surface.sources?.(part.passages);
      else if (part.type === 'text-delta') {
        if (surface.push(part.text)) editor.update('live');
      } else if (part.type === 'finish') {
        ending = { outcome: 'finished', info: part.info };
        break;
      } else if (part.type === 'error') {
        ending = { outcome: 'error', error: part.error };
        break;
      }
    }
  } catch (err) {
    // The pipeline turns failures into parts; a throw here is a bug, still shown politely.
    const error = err instanceof DocentError ? err : new DocentError('answer_failed', 'internal', (err as Error).message, { cause: err });
    ending = { outcome: 'error', error };
  }
  // A stream that simply stops (a generator returning early, a closed connection) is an error too: the user
  // must see that the answer is not whole.
  ending ??= { outcome: 'error', error: new DocentError('answer_incomplete', 'internal', 'the answer stream ended without finishing') };
  if (ending.outcome === 'error') logger.error({ err: ending.error, code: ending.error.code, category: ending.error.category }, 'answer failed');

  let endShown = true;
  try {
    await editor.finish(ending);
  } catch (err) {
    endShown = false;
    logger.error({ err, code: code(err) }, 'final answer update failed');
  }
  return { outcome: ending.outcome, ...(ending.outcome === 'finished' ? { info: ending.info } : {}), edits: editor.edits, endShown };
}
