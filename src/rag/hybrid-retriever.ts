import type { Chunk, Filter, Scored, SearchHit } from '../core/types.js';
import type { Embedder } from '../providers/embedders/embedder.js';
import type { Reranker } from '../providers/rerankers/reranker.js';
import type { VectorStore } from '../stores/vector-store.js';
import { collapseNearDuplicates, type CollapsedHit } from './dedup.js';
import { diversifyByDocument } from './diversify.js';
import { reciprocalRankFusion, scoreFusion } from './fusion.js';
import type { KeywordIndex } from './keyword-index.js';

export type RetrievalMode = 'keyword' | 'vector' | 'hybrid';

export interface RetrieverSettings {
  /** How many hits each retriever contributes to fusion. */
  candidates: number;
  fusion: 'rrf' | 'score';
  rrfK: number;
  vectorWeight: number;
  maxPerDocument: number;
  dedupThreshold: number;
  rerankCandidates: number;
}

export interface RetrieveOptions {
  k: number;
  filter?: Filter;
  mode?: RetrievalMode;
  /** Apply the reranker when one is configured (default true). */
  rerank?: boolean;
}

/** A search hit plus the chunk it came from and its collapsed twins, for the answer pipeline. */
export interface RetrievedHit extends SearchHit {
  chunk: Chunk;
  /** sourceIds of near-identical chunks folded into this one. */
  alsoIn: string[];
}

export interface HybridRetrieverDeps {
  keyword: KeywordIndex;
  store: VectorStore;
  embedder: Embedder;
  reranker?: Reranker | undefined;
  settings: RetrieverSettings;
}

/**
 * Hybrid retrieval: BM25 and vector search run side by side, are fused, near-duplicates collapse, an
 * optional reranker re-orders the head, and the result is diversified by document.
 */
export class HybridRetriever {
  constructor(private readonly deps: HybridRetrieverDeps) {}

  /** A retriever over the same indexes with some settings changed (eval compares fusion methods this way). */
  withSettings(patch: Partial<RetrieverSettings>): HybridRetriever {
    return new HybridRetriever({ ...this.deps, settings: { ...this.deps.settings, ...patch } });
  }

  async retrieve(query: string, opts: RetrieveOptions): Promise<RetrievedHit[]> {
    const { settings: s } = this.deps;
    const mode = opts.mode ?? 'hybrid';
    const n = Math.max(s.candidates, opts.k);
    const [keywordHits, vectorHits] = await Promise.all([
      mode === 'vector' ? [] : Promise.resolve(this.deps.keyword.query(query, n, opts.filter)),
      mode === 'keyword' ? [] : this.vectorQuery(query, n, opts.filter),
    ]);
    let ranked: Scored<Chunk>[];
    if (mode === 'keyword') ranked = keywordHits;
    else if (mode === 'vector') ranked = vectorHits;
    else {
      const lists = [
        { hits: keywordHits, weight: 1 },
        { hits: vectorHits, weight: s.vectorWeight },
      ];
      ranked = s.fusion === 'rrf' ? reciprocalRankFusion(lists, s.rrfK) : scoreFusion(lists);
    }
    let collapsed = collapseNearDuplicates(ranked, s.dedupThreshold);
    if (this.deps.reranker && opts.rerank !== false) collapsed = await this.rerank(query, collapsed);
    const diverse = diversifyByDocument(collapsed, (h) => `${h.item.sourceRoot}\u0000${h.item.sourceId}`, s.maxPerDocument);
    return diverse.slice(0, opts.k).map(toHit);
  }

  private async vectorQuery(query: string, n: number, filter?: Filter): Promise<Scored<Chunk>[]> {
    const v = await this.deps.embedder.embedQuery(query);
    return this.deps.store.query(v, n, filter);
  }

  /** Re-scores the first `rerankCandidates` hits; the tail keeps its order behind them. */
  private async rerank(query: string, hits: CollapsedHit[]): Promise<CollapsedHit[]> {
    const head = hits.slice(0, this.deps.settings.rerankCandidates);
    const scores = await this.deps.reranker!.score(query, head.map((h) => h.item.text));
    const rescored = head.map((h, i) => ({ ...h, score: scores[i]! })).sort((a, b) => b.score - a.score);
    return [...rescored, ...hits.slice(head.length)];
  }
}

function toHit(h: CollapsedHit): RetrievedHit {
  const c = h.item;
  return {
    id: c.id,
    sourceId: c.sourceId,
    title: c.title,
    page: c.page,
    url: c.url,
    score: h.score,
    text: c.text,
    kind: c.kind,
    path: c.path,
    chunk: c,
    alsoIn: h.duplicates.map((d) => d.sourceId).filter((id) => id !== c.sourceId),
  };
}
