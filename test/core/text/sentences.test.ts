import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../../src/core/text/sentences.js';

describe('splitSentences', () => {
  it.each([
    ['A night costs 12.50 dollars. Showers are extra.', ['A night costs 12.50 dollars.', 'Showers are extra.']],
    ['The burn covered 3.7 thousand acres. It was contained.', ['The burn covered 3.7 thousand acres.', 'It was contained.']],
    [
      'Drinking water is available from May 15 to Oct. 1; the spigots close after that. Bring your own.',
      ['Drinking water is available from May 15 to Oct. 1; the spigots close after that.', 'Bring your own.'],
    ],
    ['Requires version 2.1 or later. Install it first.', ['Requires version 2.1 or later.', 'Install it first.']],
    ['Warming of 0.2 degrees per decade. Next.', ['Warming of 0.2 degrees per decade.', 'Next.']],
  ])('keeps numbers, versions and dates inside the sentence: %s', (text, expected) => {
    expect(splitSentences(text)).toEqual(expected);
  });

  it('does not break after an abbreviation or initials before a capitalised word', () => {
    expect(splitSentences('Data from the U.S. Forest Service were checked by Dr. Smith in Jan. 2020. Done.')).toEqual([
      'Data from the U.S. Forest Service were checked by Dr. Smith in Jan. 2020.',
      'Done.',
    ]);
    expect(splitSentences('See Fig. 3 and e.g. the appendix. Then stop.')).toEqual(['See Fig. 3 and e.g. the appendix.', 'Then stop.']);
  });

  it('keeps a list number with its item and code-ish tokens whole', () => {
    expect(splitSentences('1. Open the file. Call os.path.join() on it.')).toEqual(['1. Open the file.', 'Call os.path.join() on it.']);
  });

  it('still splits ordinary sentences, questions and exclamations', () => {
    expect(splitSentences('Stop wading if depth times velocity exceeds 1.0 square metre per second. Is it safe? Yes!')).toEqual([
      'Stop wading if depth times velocity exceeds 1.0 square metre per second.',
      'Is it safe?',
      'Yes!',
    ]);
  });
});
