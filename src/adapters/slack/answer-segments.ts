import { findCut } from '../shared/split-message.js';

/**
 * Cuts a growing answer into message-sized segments, as it streams.
 *
 * A segment, once committed, never changes: a native stream cannot take back what it appended, and with
 * placeholder-and-update a committed message gets its final text once and is left alone. So a segment is
 * committed only when the open tail no longer fits in one message, at the best boundary the shared splitter
 * finds (paragraph, line, sentence, word — never inside a link, URL, `<…>` span or citation marker; with
 * `partial`, constructs still open at the end count as protected).
 *
 * `streamable` is how much of the open tail may be shown where it cannot be taken back: the cut is never
 * placed before it, so the window (streamable…limit] is where the boundary is chosen. Lengths are measured
 * after rendering (`measure`), because escaping and mrkdwn conversion change them and Slack counts what it
 * receives.
 */
export interface SegmenterOptions {
  /** Most rendered characters a message may hold. */
  limit: number;
  /** Rendered characters of the open tail that may be shown irrevocably (native streaming). */
  streamable: number;
  /** Rendered length of raw (Markdown) text. */
  measure: (raw: string) => number;
}

/** The answer as it stands: committed segments, the open tail, and how much of the tail is stable. */
export interface SegmentsSnapshot {
  segments: string[];
  tail: string;
  /** Raw characters at the start of `tail` that will stay in the current segment whatever comes next. */
  stable: number;
}

export class AnswerSegments {
  private readonly committed: string[] = [];
  private tail = '';

  constructor(private readonly o: SegmenterOptions) {
    if (o.streamable >= o.limit) throw new RangeError('streamable must be below limit');
  }

  /** All text so far (raw), committed and open. */
  get text(): string {
    return this.committed.join('') + this.tail;
  }

  /** Adds streamed text; commits segments while the tail is over the limit. */
  push(delta: string): void {
    this.tail += delta;
    while (this.o.measure(this.tail) > this.o.limit) this.commit(true);
  }

  snapshot(): SegmentsSnapshot {
    return { segments: [...this.committed], tail: this.tail, stable: this.stableLength() };
  }

  /**
   * Ends the answer and returns every segment. `finalText` (the pipeline's own copy of the answer) replaces
   * the streamed text when it extends it — a text that contradicts what was already shown cannot be applied
   * to committed segments, so the streamed text wins then.
   */
  finish(finalText?: string): string[] {
    const streamed = this.text;
    if (finalText && finalText.startsWith(streamed)) this.tail += finalText.slice(streamed.length);
    else if (finalText && !streamed.trim()) this.tail = finalText;
    while (this.o.measure(this.tail) > this.o.limit) this.commit(false);
    if (this.tail.trim() || this.committed.length === 0) this.committed.push(this.tail);
    else if (this.tail) {
      // Trailing whitespace alone would be an empty message: it belongs to the last segment if it fits.
      const last = this.committed.length - 1;
      if (this.o.measure(this.committed[last]! + this.tail) <= this.o.limit) this.committed[last] += this.tail;
    }
    this.tail = '';
    return [...this.committed];
  }

  /** Moves the first message's worth of the tail into a committed segment. */
  private commit(partial: boolean): void {
    const min = Math.max(1, this.stableLength());
    let limit = Math.min(this.tail.length - 1, this.o.limit);
    let cut = findCut(this.tail, limit, { min: Math.min(min, limit), partial });
    // Rendering can lengthen text (escapes): shrink the raw limit until the rendered piece fits.
    for (let guard = 0; this.o.measure(this.tail.slice(0, cut)) > this.o.limit && guard < 50; guard++) {
      const over = this.o.measure(this.tail.slice(0, cut)) - this.o.limit;
      limit = Math.max(1, cut - Math.max(1, over));
      cut = findCut(this.tail, limit, { min: Math.min(min, limit), partial });
    }
    this.committed.push(this.tail.slice(0, cut));
    this.tail = this.tail.slice(cut);
  }

  /** The longest raw prefix of the tail whose rendering fits in `streamable` (binary search; measure grows with length). */
  private stableLength(): number {
    const { tail } = this;
    if (this.o.measure(tail) <= this.o.streamable) return tail.length;
    let lo = 0;
    let hi = tail.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.o.measure(tail.slice(0, mid)) <= this.o.streamable) lo = mid;
      else hi = mid - 1;
    }
    // Never end between the halves of a surrogate pair.
    const code = tail.charCodeAt(lo - 1);
    return code >= 0xd800 && code <= 0xdbff ? lo - 1 : lo;
  }
}
