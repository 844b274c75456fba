import { footerBlocks, MAX_BLOCKS, sectionBlocks, type Block } from './blocks.js';
import { toMrkdwn } from './mrkdwn.js';
import { POST_OPTIONS, type AnswerSurface, type AnswerTarget, type AnswerView, type WebClient } from './outgoing.js';

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
 * `chat.update` as text arrives (the throttled editor keeps it to about one edit per interval, which fits
 * chat.update's Tier 3 budget of ~50/min), and further replies when the answer outgrows one message.
 *
 * Committed segments never change after they got their final text, so a message is edited only while it is
 * the open one, once more if it becomes the last (its footer), and never deleted. Unchanged messages are not
 * edited at all. Streaming states are plain mrkdwn `text`; the final message carries section blocks with the
 * answer, the sources and the feedback buttons (`text` then stays as the notification fallback).
 */
export class UpdateSurface implements AnswerSurface {
  readonly mode = 'update' as const;
  private readonly shown: Shown[];

  private constructor(private readonly client: WebClient, private readonly target: AnswerTarget, first: Shown) {
    this.shown = [first];
  }

  /** Posts the placeholder reply; rejects when Slack refuses (not in channel, archived…). */
  static async open(client: WebClient, target: AnswerTarget): Promise<UpdateSurface> {
    const res = await client.chat.postMessage({ channel: target.channel, thread_ts: target.threadTs, text: PLACEHOLDER, ...POST_OPTIONS });
    if (!res.ts) throw new Error('chat.postMessage returned no ts');
    return new UpdateSurface(client, target, { ts: res.ts, key: key({ text: PLACEHOLDER }) });
  }

  get messageTs(): string[] {
    return this.shown.map((s) => s.ts);
  }

  measure(raw: string): number {
    return toMrkdwn(raw).length;
  }

  async show(view: AnswerView): Promise<void> {
    const messages = render(view);
    for (const [i, m] of messages.entries()) {
      const k = key(m);
      const current = this.shown[i];
      if (!current) {
        const res = await this.client.chat.postMessage({ channel: this.target.channel, thread_ts: this.target.threadTs, ...m, ...POST_OPTIONS });
        this.shown.push({ ts: res.ts ?? '', key: k });
      } else if (current.key !== k) {
        await this.client.chat.update({ channel: this.target.channel, ts: current.ts, ...m });
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
