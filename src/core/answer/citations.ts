/**
 * Citation markers in streamed answer text. The model cites passages as [1], [2][3] or [1, 2]; a marker that
 * points at no passage (the model miscounted, or a document tried to smuggle one in) is dropped before the
 * user sees it. Works on a stream: a marker split across deltas ("… [" + "12] …") is held back until complete.
 */
export class CitationFilter {
  private pending = '';
  private readonly used = new Set<number>();

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

  /** Passage numbers the answer cited (valid ones only), ascending. */
  cited(): number[] {
    return [...this.used].sort((a, b) => a - b);
  }

  private clean(text: string): string {
    return text.replace(/ ?\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g, (whole, list: string) => {
      const nums = list.split(',').map((s) => Number(s.trim()));
      const valid = nums.filter((n) => this.validNumbers.has(n));
      for (const n of valid) this.used.add(n);
      if (valid.length === 0) return '';
      const lead = whole.startsWith(' ') ? ' ' : '';
      return valid.length === nums.length ? whole : `${lead}[${valid.join(', ')}]`;
    });
  }
}
