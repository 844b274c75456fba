import { footerBlocks, MAX_BLOCKS, sectionBlocks, type AnswerFooter } from './blocks.js';
import { toMrkdwn, toStreamMarkdown } from './mrkdwn.js';
import { POST_OPTIONS, slackErrorCode, type AnswerSurface, type AnswerTarget, type AnswerView, type WebClient } from './outgoing.js';

interface Stream {
  ts: string;
  /** Raw characters of the segment appended so far. */
  sent: number;
  stopped: boolean;
  /** Slack refused an append (e.g. the stream timed out): the rest goes out as a plain reply instead. */
  broken: boolean;
}

/**
 * Slack's native AI streaming: `chat.startStream` opens a reply in the thread at once (before the first
 * token, so the user sees Docent working and `auto` mode learns whether the workspace supports it), then
 * `chat.appendStream` adds the new text — at most once per interval, with everything that arrived in between
 * coalesced into one call, each awaited before the next — and `chat.stopStream` finishes it with the source
 * list and the feedback buttons as blocks.
 *
 * An answer longer than one message continues in a new stream per segment. Only text the segmenter marked
 * stable is appended, so nothing appended ever has to be taken back. The web client retries 429s after
 * their Retry-After (see slack-adapter.ts), which simply delays the next call.
 */
export class NativeSurface implements AnswerSurface {
  readonly mode = 'native' as const;
  private readonly streams: Stream[] = [];

  private constructor(private readonly client: WebClient, private readonly target: AnswerTarget) {}

  /** Starts the first stream; rejects (with Slack's error code on `data.error`) where streaming is unavailable. */
  static async open(client: WebClient, target: AnswerTarget): Promise<NativeSurface> {
    const surface = new NativeSurface(client, target);
    await surface.start('');
    return surface;
  }

  get messageTs(): string[] {
    return this.streams.map((s) => s.ts);
  }

  measure(raw: string): number {
    return toStreamMarkdown(raw).length;
  }

  async show(view: AnswerView): Promise<void> {
    for (const [i, segment] of view.segments.entries()) {
      const footer = view.footer !== undefined && i === view.segments.length - 1 ? view.footer : undefined;
      if (this.streams[i]?.stopped) continue;
      if (!this.streams[i] && !(await this.tryStart(segment))) {
        // Slack will not open another stream: this segment goes out as a plain reply.
        const ts = await this.postPlain(segment, footer);
        this.streams.push({ ts, sent: segment.length, stopped: true, broken: true });
        continue;
      }
      await this.stop(i, segment, footer);
    }
    if (view.footer) return;
    const index = view.segments.length;
    const stable = view.tail.slice(0, view.stable);
    const stream = this.streams[index];
    if (!stream) {
      // The open part waits for its segment to close when streams cannot be opened any more.
      if (stable.trim() && !this.cannotStart) await this.tryStart(stable);
      return;
    }
    const delta = pending(stable, stream.sent);
    if (!delta || stream.broken) return;
    try {
      await this.client.chat.appendStream({ channel: this.target.channel, ts: stream.ts, markdown_text: delta });
      stream.sent = stable.length;
    } catch (err) {
      // Slack refused (not a network error, which the client retries): stop appending to this message.
      if (slackErrorCode(err)) stream.broken = true;
      throw err;
    }
  }

  /** Set once Slack refused to open a stream mid-answer; later segments are posted as plain replies. */
  private cannotStart = false;

  /** `start`, but false instead of a throw when Slack refuses (a network error still throws, to be retried). */
  private async tryStart(raw: string): Promise<boolean> {
    if (this.cannotStart) return false;
    try {
      await this.start(raw);
      return true;
    } catch (err) {
      if (!slackErrorCode(err)) throw err;
      this.cannotStart = true;
      return false;
    }
  }

  /** Opens the next stream with `raw` (rendered) as its first text. */
  private async start(raw: string): Promise<void> {
    const markdown = toStreamMarkdown(raw);
    const res = await this.client.chat.startStream({
      channel: this.target.channel,
      thread_ts: this.target.threadTs,
      recipient_user_id: this.target.userId,
      ...(this.target.teamId ? { recipient_team_id: this.target.teamId } : {}),
      ...(markdown ? { markdown_text: markdown } : {}),
    });
    if (!res.ts) throw new Error('chat.startStream returned no ts');
    this.streams.push({ ts: res.ts, sent: raw.length, stopped: false, broken: false });
  }

  /** Finishes stream `i` with the rest of its segment (and the footer on the last one). */
  private async stop(i: number, segment: string, footer: AnswerFooter | undefined): Promise<void> {
    const stream = this.streams[i]!;
    const rest = pending(segment, stream.sent);
    const blocks = footer ? footerBlocks(footer) : [];
    if (!stream.broken) {
      try {
        await this.client.chat.stopStream({
          channel: this.target.channel,
          ts: stream.ts,
          ...(rest ? { markdown_text: rest } : {}),
          ...(blocks.length ? { blocks } : {}),
        });
        stream.stopped = true;
        return;
      } catch (err) {
        if (!slackErrorCode(err)) throw err;
        stream.broken = true;
      }
    }
    // The stream cannot be finished: the part Slack never got, and the footer, go out as a plain reply.
    await this.postPlain(segment.slice(stream.sent), footer);
    stream.stopped = true;
  }

  /** A plain (mrkdwn) reply with `raw` and the footer; returns its ts ('' when there was nothing to post). */
  private async postPlain(raw: string, footer: AnswerFooter | undefined): Promise<string> {
    const text = toMrkdwn(raw).trim();
    const sections = sectionBlocks(text);
    const blocks = [...sections, ...(footer ? footerBlocks(footer, MAX_BLOCKS - sections.length) : [])];
    if (!blocks.length) return '';
    const res = await this.client.chat.postMessage({
      channel: this.target.channel, thread_ts: this.target.threadTs, text: text || 'Sources', blocks, ...POST_OPTIONS,
    });
    return res.ts ?? '';
  }
}

/** The rendered Markdown of `raw` beyond its first `sent` characters (rendering is prefix-stable). */
function pending(raw: string, sent: number): string {
  if (raw.length <= sent) return '';
  return toStreamMarkdown(raw).slice(toStreamMarkdown(raw.slice(0, sent)).length);
}
