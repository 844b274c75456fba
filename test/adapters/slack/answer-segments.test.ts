import { describe, expect, it } from 'vitest';
import { protectedSpans } from '../../../src/adapters/shared/split-message.js';
import { AnswerSegments } from '../../../src/adapters/slack/answer-segments.js';
import { toMrkdwn, toStreamMarkdown } from '../../../src/adapters/slack/mrkdwn.js';
import { MESSAGE_LIMIT, STREAMABLE } from '../../../src/adapters/slack/outgoing.js';
import { SECTION_LIMIT } from '../../../src/adapters/slack/blocks.js';

const measures = { mrkdwn: (s: string) => toMrkdwn(s).length, markdown: (s: string) => toStreamMarkdown(s).length };

/** A long answer with paragraphs, links, bare URLs, citations and characters that grow when escaped. */
function longAnswer(chars: number): string {
  const pieces = [
    'Stream loggers belong in the main current, where water is mixed and shaded [1]. ',
    'See [the field manual for stream temperature loggers](https://example.org/manuals/field-manual.pdf) for details [2, 3]. ',
    'Raw files live at https://example.org/data/raw/2011/loggers?site=a&year=2011 and are checked weekly. ',
    'Values < 0 °C & > 30 °C are flagged <suspect> [4].\n\n',
    '**Calibration** happens each spring; drift over 0.2 °C means a replacement [5]. ',
  ];
  let out = '';
  for (let i = 0; out.length < chars; i++) out += pieces[i % pieces.length]!;
  return out.slice(0, chars);
}

function cutsOf(segments: string[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const s of segments.slice(0, -1)) out.push((at += s.length));
  return out;
}

function chunked(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

describe('AnswerSegments (the answer splitter under Slack limits)', () => {
  for (const [dialect, measure] of Object.entries(measures)) {
    it(`splits a 12,000-character answer under the limits, losslessly, at safe boundaries (${dialect})`, () => {
      const text = longAnswer(12_000);
      const seg = new AnswerSegments({ limit: MESSAGE_LIMIT, streamable: STREAMABLE, measure });
      for (const delta of chunked(text, 7)) seg.push(delta);
      const segments = seg.finish(text);
      expect(segments.length).toBeGreaterThanOrEqual(5);
      expect(segments.join('')).toBe(text);
      for (const s of segments) {
        expect(measure(s)).toBeLessThanOrEqual(MESSAGE_LIMIT);
        // One section block per message, and far from Slack's 4k text territory.
        expect(measure(s)).toBeLessThanOrEqual(SECTION_LIMIT);
      }
      const spans = protectedSpans(text);
      for (const p of cutsOf(segments)) {
        expect(spans.find(([a, b]) => a < p && p < b), `cut at ${p}`).toBeUndefined();
        // Sentence or paragraph ends: the character before the cut's whitespace ends a sentence or marker.
        expect(text.slice(0, p)).toMatch(/[.\]]\s+$/);
      }
    });
  }

  it('never moves a cut before text already marked stable (what a native stream has appended)', () => {
    const text = longAnswer(9000);
    const seg = new AnswerSegments({ limit: MESSAGE_LIMIT, streamable: STREAMABLE, measure: measures.markdown });
    const shown: string[] = [];
    let committedBefore = 0;
    for (const delta of chunked(text, 13)) {
      seg.push(delta);
      const snap = seg.snapshot();
      if (snap.segments.length > committedBefore) {
        // The segment that just closed must start with everything streamed for it.
        const closed = snap.segments[committedBefore]!;
        expect(closed.startsWith(shown[committedBefore] ?? '')).toBe(true);
        committedBefore = snap.segments.length;
      }
      shown[snap.segments.length] = snap.tail.slice(0, snap.stable);
      expect(measures.markdown(snap.tail.slice(0, snap.stable))).toBeLessThanOrEqual(STREAMABLE);
    }
    expect(seg.finish().join('')).toBe(text);
  });

  it('does not cut into a link that is still streaming', () => {
    const head = 'Intro sentence here. '.repeat(125); // 2625 chars: past the stable point, below the limit
    const link = '[a long link label that keeps going for a while](https://example.org/some/very/long/path/to/a/document.pdf)';
    const seg = new AnswerSegments({ limit: MESSAGE_LIMIT, streamable: STREAMABLE, measure: (s) => s.length });
    seg.push(head);
    for (const delta of chunked(`${link} and more text after it. `.repeat(3), 5)) seg.push(delta);
    const [first] = seg.finish();
    expect(first!.includes('[a long link') ? first!.includes('document.pdf)') : true).toBe(true);
  });

  it('uses the pipeline text when it extends the stream, keeps the stream when it contradicts it', () => {
    const a = new AnswerSegments({ limit: 100, streamable: 50, measure: (s) => s.length });
    a.push('Hello ');
    expect(a.finish('Hello world.')).toEqual(['Hello world.']);
    const b = new AnswerSegments({ limit: 100, streamable: 50, measure: (s) => s.length });
    b.push('Hello there.');
    expect(b.finish('Something else.')).toEqual(['Hello there.']);
    const c = new AnswerSegments({ limit: 100, streamable: 50, measure: (s) => s.length });
    expect(c.finish('Cached answer.')).toEqual(['Cached answer.']);
  });
});
