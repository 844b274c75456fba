import { describe, expect, it } from 'vitest';
import { protectedSpans, splitMessage } from '../../../src/adapters/shared/split-message.js';

/** Every cut position (offset in the original text) of a split. */
function cuts(chunks: string[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const c of chunks.slice(0, -1)) out.push((at += c.length));
  return out;
}

function assertNoCutInside(text: string, chunks: string[]): void {
  const spans = protectedSpans(text);
  for (const p of cuts(chunks)) {
    const inside = spans.find(([a, b]) => a < p && p < b);
    expect(inside, `cut at ${p} inside ${inside ? text.slice(inside[0], inside[1]) : ''}`).toBeUndefined();
  }
}

const sentence = (i: number) => `Sentence number ${i} says something about stream loggers and shade. `;

describe('splitMessage', () => {
  it('keeps short text whole and returns one empty chunk for empty text', () => {
    expect(splitMessage('hello')).toEqual(['hello']);
    expect(splitMessage('')).toEqual(['']);
    expect(splitMessage('x'.repeat(2000))).toEqual(['x'.repeat(2000)]);
  });

  it('never exceeds the limit and is lossless', () => {
    const text = Array.from({ length: 200 }, (_, i) => sentence(i) + (i % 7 === 6 ? '\n\n' : '')).join('');
    const chunks = splitMessage(text);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(2000);
    expect(chunks.join('')).toBe(text);
  });

  it('prefers a paragraph boundary in the second half of the window', () => {
    const para1 = 'A'.repeat(1200) + '.';
    const para2 = Array.from({ length: 30 }, (_, i) => sentence(i)).join('');
    const chunks = splitMessage(`${para1}\n\n${para2}`);
    expect(chunks[0]).toBe(`${para1}\n\n`);
  });

  it('falls back to a sentence boundary when no paragraph fits', () => {
    const text = Array.from({ length: 60 }, (_, i) => sentence(i)).join('');
    const chunks = splitMessage(text);
    for (const c of chunks.slice(0, -1)) expect(c).toMatch(/\. $/);
  });

  it('keeps a citation marker with the sentence it ends', () => {
    const text = Array.from({ length: 60 }, (_, i) => `Loggers go in the main current number ${i}. [${i % 9 + 1}] `).join('');
    const chunks = splitMessage(text);
    for (const c of chunks.slice(0, -1)) expect(c).toMatch(/\[\d+\] $/);
    assertNoCutInside(text, chunks);
  });

  it('never cuts inside [text](url), <url>, a bare URL or [12]', () => {
    // Only spaces inside the protected spans near the limit: the splitter must step back before them.
    const link = '[Field manual for stream temperature loggers](https://example.org/manuals/field-manual.pdf)';
    const angle = '<https://example.org/a/very/long/path/that/goes/on/and/on>';
    const bare = 'https://example.org/data.json?x=1&y=2';
    for (const filler of [1950, 1960, 1970, 1980, 1990, 1995]) {
      for (const span of [link, angle, bare, '[12]', '[1, 7]']) {
        const text = `${'w'.repeat(filler)} ${span} tail text here. ${'z '.repeat(100)}`;
        const chunks = splitMessage(text);
        expect(chunks.join('')).toBe(text);
        for (const c of chunks) expect(c.length).toBeLessThanOrEqual(2000);
        assertNoCutInside(text, chunks);
      }
    }
  });

  it('does not break a link whose title has escaped brackets', () => {
    const link = '[Guide \\[draft\\] to loggers](<https://example.org/guide>)';
    const text = `${'word '.repeat(396)}${link} more words after it. ${'x '.repeat(50)}`;
    const chunks = splitMessage(text);
    assertNoCutInside(text, chunks);
    expect(chunks.some((c) => c.includes(link))).toBe(true);
  });

  it('still splits a single enormous word, and a giant URL', () => {
    const word = 'x'.repeat(4500);
    const chunks = splitMessage(word);
    expect(chunks.map((c) => c.length)).toEqual([2000, 2000, 500]);
    const url = `https://example.org/${'a'.repeat(4100)}`;
    const urlChunks = splitMessage(`see ${url}`);
    for (const c of urlChunks) expect(c.length).toBeLessThanOrEqual(2000);
    expect(urlChunks.join('')).toBe(`see ${url}`);
  });

  it('does not split a surrogate pair', () => {
    const text = `${'a'.repeat(1999)}😀${'b'.repeat(10)}`;
    const chunks = splitMessage(text);
    expect(chunks[0]).toBe('a'.repeat(1999));
    expect(chunks.join('')).toBe(text);
  });

  it('respects a custom limit', () => {
    const chunks = splitMessage('one two three four five six seven', 10);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(10);
    expect(chunks.join('')).toBe('one two three four five six seven');
  });
});
