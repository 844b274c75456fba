/**
 * Citation markers in streamed answer text. The model cites passages as [1], [2][3] or [1, 2]; a marker that
 * points at no passage (the model miscounted, or a document tried to smuggle one in) is dropped before the
 * user sees it. Works on a stream: a marker split across deltas ("… [" + "12] …") is held back until complete.
 *
 * Markers are renumbered in order of first citation: an answer quoting passages 3, 1 and 5 shows [1], [2], [3]
 * and its source list reads 1, 2, 3 — a list numbered "1, 3, 4" looked like sources were missing.
 */
export class CitationFilter {
  private pending = '';
  /** Passage number → number shown, in order of first citation. */
  private readonly shown = new Map<number, number>();

  constructor(private readonly validNumbers: ReadonlySet<number>) {}

  /** Feeds a delta; returns the text that is safe to show now. */
  push(delta: string): string {
    const text = this.pending + delta;
    // Hold back a trailing "[" or an unfinished "[12, 3" so it can be judged when complete.
    const open = text.lastIndexOf('[');
    if (open >= 0 && !text.includes(']', open) && /^\[[\d,\s]{0,12}$/.test(text.slice(open))) {
      // Hold back the space before the marker too: a dropped marker takes its leading space with it.
      const start = text[open - 1] === ' ' ? open - 1 : open;
      this.pending = text.slice(start);
      return this.clean(text.slice(0, start));
    }
    this.pending = '';
    return this.clean(text);
  }

  /** End of stream: whatever was held back, cleaned. */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return this.clean(rest);
  }

  /** Passage numbers the answer cited (valid ones only), in the order they are numbered for the user. */
  cited(): number[] {
    return [...this.shown.keys()];
  }

  /** The number the user sees for a cited passage. */
  shownNumber(passage: number): number | undefined {
    return this.shown.get(passage);
  }

  private clean(text: string): string {
    return text.replace(/ ?\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g, (whole, list: string) => {
      const nums = list.split(',').map((s) => Number(s.trim()));
      const valid = [...new Set(nums.filter((n) => this.validNumbers.has(n)))];
      if (valid.length === 0) return '';
      const lead = whole.startsWith(' ') ? ' ' : '';
      const numbers = valid.map((n) => {
        if (!this.shown.has(n)) this.shown.set(n, this.shown.size + 1);
        return this.shown.get(n)!;
      });
      return `${lead}[${numbers.join(', ')}]`;
    });
  }
}
