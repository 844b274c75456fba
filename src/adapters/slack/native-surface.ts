import { footerBlocks, MAX_BLOCKS, sectionBlocks, type AnswerFooter } from './blocks.js';
import { toMrkdwn, toStreamMarkdown } from './mrkdwn.js';
import { POST_OPTIONS, slackErrorCode, type AnswerSurface, type AnswerTarget, type AnswerView } from './outgoing.js';
import type { SlackCalls } from './slack-calls.js';
import type { Priority } from './rate-budget.js';

interface Stream {
  ts: string;
  /** Raw characters of the segment appended so far. */
  sent: number;
  stopped: boolean;
  /**
   * Slack refused an append or the stop — the stream outlived its ~5 minutes and Slack finalised it
   * (message_not_in_streaming_state). Its message is then brought up to date with chat.update on its own ts.
   */
  expired: boolean;
}

/**
 * Slack's native AI streaming: `chat.startStream` opens a reply in the thread with the first text (not
 * before: a stream lives about five minutes, and waiting for admission and retrieval would spend them),
 * `chat.appendStream` adds new text — at most once per interval, coalesced, and only when the shared budget
 * has an appendStream token (rate-budget.ts) — and `chat.stopStream` finishes it with the source list and
 * the feedback buttons as blocks.
 *
 * An answer longer than one message continues in a new stream per segment (segments stay under the
 * per-message limit, well under the 12k a stream call takes). Only text the segmenter marked stable is
 * appended, so nothing appended ever has to be taken back. A stream Slack has ended under us is repaired in
 * place: chat.update on its ts with the whole segment (and the footer on the last), so the answer ends up
 * whole in its own message instead of continuing mid-sentence in another.
 */
export class NativeSurface implements AnswerSurface {
  readonly mode = 'native' as const;
  private readonly streams: Stream[] = [];
  /** Set once Slack refused to open a stream mid-answer; later segments are posted as plain replies. */
  private cannotStart = false;

  private constructor(private readonly calls: SlackCalls, private readonly target: AnswerTarget) {}

  /**
   * Opens the first stream with the view's first text. Undefined when the startStream budget has no token
   * right now (the caller answers with chat.update instead); rejects with Slack's error code on `data.error`
   * where streaming is unavailable.
   */
  static async open(calls: SlackCalls, target: AnswerTarget, view: AnswerView): Promise<NativeSurface | undefined> {
    const surface = new NativeSurface(calls, target);
    const first = view.segments[0] ?? view.tail.slice(0, view.stable);
    const res = await calls.live('chat.startStream', surface.startArgs(first));
    if (!res) return undefined;
    if (typeof res['ts'] !== 'string') throw new Error('chat.startStream returned no ts');
    surface.streams.push({ ts: res['ts'], sent: first.length, stopped: false, expired: false });
    return surface;
  }

  get messageTs(): string[] {
    return this.streams.map((s) => s.ts);
  }

  measure(raw: string): number {
    return toStreamMarkdown(raw).length;
  }

  async show(view: AnswerView): Promise<void> {
    const final = view.footer !== undefined;
    // Committed segments are needed whatever happens: their calls wait for the budget (finals first).
    const priority: Priority = final ? 'final' : 'normal';
    for (const [i, segment] of view.segments.entries()) {
      const footer = final && i === view.segments.length - 1 ? view.footer : undefined;
      if (this.streams[i]?.stopped) continue;
      if (!this.streams[i] && !(await this.tryStart(segment, priority))) {
        // Slack will not open another stream: this segment goes out as a plain reply.
        const ts = await this.postPlain(segment, footer, priority);
        this.streams.push({ ts, sent: segment.length, stopped: true, expired: false });
        continue;
      }
      await this.stop(i, segment, footer, priority);
    }
    if (final) return;
    await this.showOpen(view);
  }

  /** The open segment while streaming: appended (live), or repaired by a live chat.update once expired. */
  private async showOpen(view: AnswerView): Promise<void> {
    const stable = view.tail.slice(0, view.stable);
    const stream = this.streams[view.segments.length];
    if (!stream) {
      if (stable.trim() && !this.cannotStart) {
        const res = await this.calls.live('chat.startStream', this.startArgs(stable)).catch((err: unknown) => {
          if (!slackErrorCode(err)) throw err;
          this.cannotStart = true;
          return undefined;
        });
        if (typeof res?.['ts'] === 'string') this.streams.push({ ts: res['ts'], sent: stable.length, stopped: false, expired: false });
      }
      return;
    }
    if (stream.expired) {
      const text = toMrkdwn(stable).trim();
      if (text) await this.calls.live('chat.update', { channel: this.target.channel, ts: stream.ts, text });
      return;
    }
    const delta = pending(stable, stream.sent);
    if (!delta) return;
    try {
      const res = await this.calls.live('chat.appendStream', { channel: this.target.channel, ts: stream.ts, markdown_text: delta });
      if (res) stream.sent = stable.length;
    } catch (err) {
      // Slack refused (not a network error): the stream is over; later states repair it with chat.update.
      if (!slackErrorCode(err)) throw err;
      stream.expired = true;
    }
  }

  private startArgs(raw: string): Record<string, unknown> {
    const markdown = toStreamMarkdown(raw);
    return {
      channel: this.target.channel,
      thread_ts: this.target.threadTs,
      recipient_user_id: this.target.userId,
      ...(this.target.teamId ? { recipient_team_id: this.target.teamId } : {}),
      ...(markdown ? { markdown_text: markdown } : {}),
    };
  }

  /** Opens the next stream with `raw`; false instead of a throw when Slack refuses (a network error still throws). */
  private async tryStart(raw: string, priority: Priority): Promise<boolean> {
    if (this.cannotStart) return false;
    try {
      const res = await this.calls.call('chat.startStream', this.startArgs(raw), priority);
      if (typeof res['ts'] !== 'string') throw new Error('chat.startStream returned no ts');
      this.streams.push({ ts: res['ts'], sent: raw.length, stopped: false, expired: false });
      return true;
    } catch (err) {
      if (!slackErrorCode(err)) throw err;
      this.cannotStart = true;
      return false;
    }
  }

  /** Finishes stream `i` with the rest of its segment (and the footer on the last one); repairs it if Slack ended it. */
  private async stop(i: number, segment: string, footer: AnswerFooter | undefined, priority: Priority): Promise<void> {
    const stream = this.streams[i]!;
    if (!stream.expired) {
      const rest = pending(segment, stream.sent);
      const blocks = footer ? footerBlocks(footer) : [];
      try {
        await this.calls.call('chat.stopStream', {
          channel: this.target.channel, ts: stream.ts, ...(rest ? { markdown_text: rest } : {}), ...(blocks.length ? { blocks } : {}),
        }, priority);
        stream.stopped = true;
        return;
      } catch (err) {
        if (!slackErrorCode(err)) throw err;
        stream.expired = true;
      }
    }
    await this.calls.call('chat.update', { channel: this.target.channel, ts: stream.ts, ...message(segment, footer) }, priority);
    stream.stopped = true;
  }

  /** A plain (mrkdwn) reply with `raw` and the footer; returns its ts ('' when there was nothing to post). */
  private async postPlain(raw: string, footer: AnswerFooter | undefined, priority: Priority): Promise<string> {
    const m = message(raw, footer);
    if (!m.blocks.length) return '';
    const res = await this.calls.call('chat.postMessage', { channel: this.target.channel, thread_ts: this.target.threadTs, ...m, ...POST_OPTIONS }, priority);
    return typeof res['ts'] === 'string' ? res['ts'] : '';
  }
}

/** A whole segment as a plain message: mrkdwn sections, then the footer blocks (sources, cards, buttons). */
function message(raw: string, footer: AnswerFooter | undefined): { text: string; blocks: ReturnType<typeof sectionBlocks> } {
  const text = toMrkdwn(raw).trim();
  const sections = sectionBlocks(text);
  const blocks = [...sections, ...(footer ? footerBlocks(footer, MAX_BLOCKS - sections.length) : [])];
  return { text: text || 'Sources', blocks };
}

/** The rendered Markdown of `raw` beyond its first `sent` characters (rendering is prefix-stable). */
function pending(raw: string, sent: number): string {
  if (raw.length <= sent) return '';
  return toStreamMarkdown(raw).slice(toStreamMarkdown(raw.slice(0, sent)).length);
}
