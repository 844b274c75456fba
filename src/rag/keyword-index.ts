import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import MiniSearch from 'minisearch';
import type { Chunk, Filter, Scored } from '../core/types.js';
import { matchesFilter } from '../core/filter.js';
import { terms } from './text-tokens.js';

/**
 * The keyword half of hybrid search: BM25+ (MiniSearch) over title, keywords and passage text, with the
 * shared tokenizer (stemmed, stop words dropped). It also holds every chunk of the index version, so the
 * retriever can show passages and apply filters without a round trip to the vector store.
 */
export class KeywordIndex {
  private constructor(
    private readonly search: MiniSearch<IndexedFields>,
    readonly chunks: Chunk[],
  ) {}

  static build(chunks: Chunk[]): KeywordIndex {
    const ms = new MiniSearch<IndexedFields>(OPTIONS);
    ms.addAll(chunks.map(toFields));
    return new KeywordIndex(ms, chunks);
  }

  /** Reads an index written by `save`. */
  static load(file: string): KeywordIndex {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Saved;
    const ms = MiniSearch.loadJS<IndexedFields>(saved.index as never, OPTIONS);
    return new KeywordIndex(ms, saved.chunks);
  }

  /** Writes atomically (tmp + rename) so a crash never leaves a half-written index behind. */
  save(file: string): void {
    const saved: Saved = { index: this.search.toJSON(), chunks: this.chunks };
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(saved));
    renameSync(`${file}.tmp`, file);
  }

  get size(): number {
    return this.chunks.length;
  }

  /** Best `n` chunks for `query` by BM25+, any query term may match (OR), best first. */
  query(query: string, n: number, filter?: Filter): Scored<Chunk>[] {
    const hits = this.search.search(query, {
      combineWith: 'OR',
      ...(filter ? { filter: (r) => matchesFilter(this.chunks[r.id as number]!, filter) } : {}),
    });
    return hits.slice(0, n).map((h) => ({ item: this.chunks[h.id as number]!, score: h.score }));
  }
}

interface IndexedFields {
  id: number;
  title: string;
  keywords: string;
  text: string;
}

interface Saved {
  index: unknown;
  chunks: Chunk[];
}

const OPTIONS = {
  fields: ['title', 'keywords', 'text'],
  tokenize: (text: string) => terms(text),
  // terms() already lower-cases, drops stop words and stems; MiniSearch must not undo that.
  processTerm: (term: string) => term,
  searchOptions: { boost: { title: 2, keywords: 1.5 } },
};

function toFields(chunk: Chunk, i: number): IndexedFields {
  // Catalog record titles like "S_USA.Actv_TimberHarvest" are tokenised by terms() into "usa actv timber harvest".
  return { id: i, title: chunk.title, keywords: chunk.keywords.join(' ; '), text: chunk.text };
}
