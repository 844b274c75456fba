import { describe, expect, it } from 'vitest';
import { groupQuestions, jaccard, questionTerms } from '../../src/insights/question-groups.js';

const q = (text: string, at: number) => ({ text, at });

describe('grouping not-found questions by wording', () => {
  it('reduces a question to its stemmed search terms, without stop words', () => {
    expect(questionTerms('Where can I find the LiDAR data for Oregon?')).toEqual(['data', 'lidar', 'oregon']);
    expect(questionTerms('Harvests in 2019')).toEqual(questionTerms('harvest 2019'));
    // Nothing but stop words or punctuation: the normalised text itself, so it groups only with itself.
    expect(questionTerms('  Where   is IT?? ')).toEqual(['where is it??']);
  });

  it('measures word-set overlap (Jaccard)', () => {
    expect(jaccard(new Set(['a', 'b']), new Set(['b', 'c']))).toBeCloseTo(1 / 3);
    expect(jaccard(new Set(['a']), new Set(['a']))).toBe(1);
  });

  it('groups rewordings of one gap and keeps different gaps apart', () => {
    const groups = groupQuestions([
      q('Where is the LiDAR data for Oregon?', 1),
      q('oregon lidar', 2),
      q('LiDAR coverage of Oregon', 3),
      q('fishing licence prices', 4),
      q('Oregon LiDAR data?', 5),
      q('fishing regulations', 6),
    ]);
    expect(groups.map((g) => g.members.map((m) => m.text))).toEqual([
      ['Where is the LiDAR data for Oregon?', 'oregon lidar', 'LiDAR coverage of Oregon', 'Oregon LiDAR data?'],
      ['fishing regulations'], // equal size: the most recently asked first
      ['fishing licence prices'],
    ]);
    // The leader is the most-asked wording class: {data, lidar, oregon} was asked twice.
    expect(groups[0]!.terms).toEqual(['data', 'lidar', 'oregon']);
  });

  it('is deterministic: the same questions in any order give the same groups', () => {
    const items = ['snow depth at the ridge', 'ridge snow depth', 'bear sightings', 'Bear sightings 2023', 'wolf sightings', 'snow depth'].map((t, i) => q(t, i));
    const shape = (list: typeof items) => groupQuestions(list).map((g) => g.members.map((m) => m.text).sort());
    const reversed = [...items].reverse();
    expect(shape(reversed)).toEqual(shape(items));
    expect(shape(items)).toEqual([['ridge snow depth', 'snow depth', 'snow depth at the ridge'], ['Bear sightings 2023', 'bear sightings'], ['wolf sightings']]);
  });

  it('orders groups by size, then by the latest asked', () => {
    const groups = groupQuestions([q('alpha beta', 1), q('gamma delta', 9), q('alpha beta', 2)]);
    expect(groups.map((g) => g.members.length)).toEqual([2, 1]);
    const tie = groupQuestions([q('alpha beta', 1), q('gamma delta', 9)]);
    expect(tie[0]!.members[0]!.text).toBe('gamma delta');
  });

  it('respects the threshold', () => {
    const items = [q('fishing licence prices', 1), q('fishing licence', 2)];
    expect(groupQuestions(items, 0.5)).toHaveLength(1); // 2/3
    expect(groupQuestions(items, 0.9)).toHaveLength(2);
  });
});
