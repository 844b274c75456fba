import type { Block } from './block.js';
import { footerBlocks, MAX_BLOCKS, sectionBlocks } from './blocks.js';
import { toMrkdwn } from './mrkdwn.js';
import { POST_OPTIONS, type AnswerSurface, type AnswerTarget, type AnswerView } from './outgoing.js';
import type { SlackCalls } from './slack-calls.js';

/** Shown in the first message until the first words arrive. */
export const PLACEHOLDER = ':mag: Looking through the catalog…';

interface Shown {
  ts: string;
  key: string;
}

interface Outgoing {
  text: string;
  blocks?: Block[];
}

/**
 * The fallback when native streaming is unavailable: a placeholder reply in the thread, edited with
 * `chat.update` as text arrives (the throttled editor keeps it to about one edit per interval, and the shared
 * budget keeps all answers together within chat.update's Tier 3), and further replies when the answer
 * outgrows one message.
 *
 * Committed segments never change after they got their final text, so a message is edited only while it is
 * the open one, once more if it becomes the last (its footer), and never deleted. Unchanged messages are not
 * edited at all. Streaming states are plain mrkdwn `text`; the final message carries section blocks with the
 * answer, the sources and the feedback buttons (`text` then stays as the notification fallback).
 */
export class UpdateSurface implements AnswerSurface {
  readonly mode = 'update' as const;
  private readonly shown: Shown[] = [];

  private constructor(private readonly calls: SlackCalls, private readonly target: AnswerTarget) {}

  /** Posts the placeholder reply; rejects when Slack refuses (not in channel, archived…). */
  static async open(calls: SlackCalls, target: AnswerTarget): Promise<UpdateSurface> {
    const surface = new UpdateSurface(calls, target);
    const res = await calls.call('chat.postMessage', { channel: target.channel, thread_ts: target.threadTs, text: PLACEHOLDER, ...POST_OPTIONS });
    if (typeof res['ts'] !== 'string') throw new Error('chat.postMessage returned no ts');
    surface.shown.push({ ts: res['ts'], key: key({ text: PLACEHOLDER }) });
    return surface;
  }

  /** A surface with nothing posted yet: its first `show` posts the answer as it stands (no placeholder). */
  static empty(calls: SlackCalls, target: AnswerTarget): UpdateSurface {
    return new UpdateSurface(calls, target);
  }

  get messageTs(): string[] {
    return this.shown.map((s) => s.ts);
  }

  measure(raw: string): number {
    return toMrkdwn(raw).length;
  }

  /**
   * Live views post or edit only while the shared budget has a token now (a skipped state is replaced by the
   * next); the final view waits for its turn, ahead of other answers' live updates, and is retried.
   */
  async show(view: AnswerView): Promise<void> {
    const final = view.footer !== undefined;
    const send = (method: string, args: Record<string, unknown>) => (final ? this.calls.call(method, args, 'final') : this.calls.live(method, args));
    for (const [i, m] of render(view).entries()) {
      const k = key(m);
      const current = this.shown[i];
      if (!current) {
        const res = await send('chat.postMessage', { channel: this.target.channel, thread_ts: this.target.threadTs, ...m, ...POST_OPTIONS });
        if (!res) return;
        this.shown.push({ ts: typeof res['ts'] === 'string' ? res['ts'] : '', key: k });
      } else if (current.key !== k) {
        if (!(await send('chat.update', { channel: this.target.channel, ts: current.ts, ...m }))) return;
        current.key = k;
      }
    }
  }
}

/** The messages for a view: one per segment, then the open tail (or the placeholder while nothing is written). */
function render(view: AnswerView): Outgoing[] {
  const out: Outgoing[] = view.segments.map((s) => ({ text: toMrkdwn(s).trim() || ' ' }));
  if (!view.footer) {
    const tail = toMrkdwn(view.tail).trim();
    if (tail) out.push({ text: tail });
    else if (out.length === 0) out.push({ text: PLACEHOLDER });
    return out;
  }
  const last = out[out.length - 1] ?? { text: '' };
  if (out.length === 0) out.push(last);
  const answer = sectionBlocks(last.text);
  last.blocks = [...answer, ...footerBlocks(view.footer, MAX_BLOCKS - answer.length)];
  if (!last.text.trim()) last.text = 'Answer';
  return out;
}

function key(m: Outgoing): string {
  return JSON.stringify([m.text, m.blocks ?? []]);
}
