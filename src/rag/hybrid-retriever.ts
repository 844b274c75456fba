import { matchesFilter, withoutCoverage } from '../core/filter.js';
import type { Chunk, Degradation, Filter, Scored, SearchHit } from '../core/types.js';
import type { Embedder } from '../core/ports/embedder.js';
import type { Reranker } from '../core/ports/reranker.js';
import type { VectorStore } from '../core/ports/vector-store.js';
import { collapseNearDuplicates, type CollapsedHit } from './dedup.js';
import { diversifyByDocument } from './diversify.js';
import { reciprocalRankFusion, scoreFusion } from './fusion.js';
import { GuardedPart } from './guarded-call.js';
import type { KeywordIndex } from '../core/ports/keyword-index.js';

export type RetrievalMode = 'keyword' | 'vector' | 'hybrid';

export interface RetrieverSettings {
  /** How many hits each retriever contributes to fusion. */
  candidates: number;
  /** rrf: reciprocal rank fusion; score: min-max score fusion; rrf-within-keyword: RRF, the vector list only re-orders keyword candidates. */
  fusion: 'rrf' | 'score' | 'rrf-within-keyword';
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

/** A search hit plus its record fields and collapsed twins, for the answer pipeline. */
export interface RetrievedHit extends SearchHit {
  /** The chunk's `modified` and `fields` (publisher, period, links…), for dataset cards. */
  modified: string | null;
  fields: Record<string, string>;
  /** sourceIds of near-identical chunks folded into this one. */
  alsoIn: string[];
  /**
   * The hit's own scores before fusion, null where that retriever did not return it: cosine similarity from
   * the vector list, BM25 from the keyword list; and the share of the query's IDF weight the chunk holds
   * (KeywordIndex.coverage). The answer pipeline's "found nothing relevant" gate uses them.
   */
  signals: { vector: number | null; keyword: number | null; coverage: number | null };
}

export interface HybridRetrieverDeps {
  keyword: KeywordIndex;
  store: VectorStore;
  embedder: Embedder;
  reranker?: Reranker | undefined;
  settings: RetrieverSettings;
  /** Breakers for the parts that may fail without failing the search (defaults: 3 failures, 60 s). */
  breaker?: { failures: number; cooldownMs: number; now?: () => number };
}

/** What a search found, and which optional parts of retrieval it had to do without. */
export interface RetrievalResult {
  hits: RetrievedHit[];
  degraded: Degradation[];
}

// k for fusing the reranker's order with the retrieval order. Smaller than fusion's 60 because the head is
// only ~30 long: with k = 60 ranks 1 and 30 differ by a third and the reranker barely moves anything.
// 5–20 measured alike on the USFS eval; 60 kept only half of the gain.
const RERANK_RRF_K = 10;

// How many more vector neighbours to fetch when a date filter will drop some of them (see vectorQuery).
const COVERAGE_OVERFETCH = 4;

/**
 * Hybrid retrieval: BM25 and vector search run side by side, are fused, near-duplicates collapse, an
 * optional reranker re-orders the head, and the result is diversified by document. BM25 is the floor: the
 * vector list and the reranker are optional parts — when one fails the search goes on without it and says so
 * (`degraded`), and a circuit breaker skips a part that keeps failing.
 */
export class HybridRetriever {
  private readonly vectorPart: GuardedPart;
  private readonly rerankPart: GuardedPart;
  private inFlight = 0;
  private closing = false;

  constructor(private readonly deps: HybridRetrieverDeps, parts?: { vector: GuardedPart; rerank: GuardedPart }) {
    const b = deps.breaker ?? { failures: 3, cooldownMs: 60_000 };
    this.vectorPart = parts?.vector ?? new GuardedPart('vector search', b);
    this.rerankPart = parts?.rerank ?? new GuardedPart('reranker', b);
  }

  /** A retriever over the same indexes with some settings changed (eval compares fusion methods this way). */
  withSettings(patch: Partial<RetrieverSettings>): HybridRetriever {
    return new HybridRetriever({ ...this.deps, settings: { ...this.deps.settings, ...patch } }, { vector: this.vectorPart, rerank: this.rerankPart });
  }

  /** The settings in force (reports and the eval say which retriever they measured). */
  get settings(): RetrieverSettings {
    return this.deps.settings;
  }

  /** Chunks in the serving index version. */
  get size(): number {
    return this.deps.keyword.size;
  }

  /** The hits alone (callers that do not report degradation: eval, benchmarks). */
  async retrieve(query: string, opts: RetrieveOptions): Promise<RetrievedHit[]> {
    return (await this.search(query, opts)).hits;
  }

  async search(query: string, opts: RetrieveOptions): Promise<RetrievalResult> {
    this.inFlight++;
    try {
      return await this.run(query, opts);
    } finally {
      this.inFlight--;
      if (this.closing && this.inFlight === 0) this.deps.keyword.close();
    }
  }

  /** Releases the keyword index once the searches still running on it are done (a reindex swapped it out). */
  close(): void {
    this.closing = true;
    if (this.inFlight === 0) this.deps.keyword.close();
  }

  private async run(query: string, opts: RetrieveOptions): Promise<RetrievalResult> {
    const { settings: s } = this.deps;
    const mode = opts.mode ?? 'hybrid';
    const n = Math.max(s.candidates, opts.k);
    const degraded: Degradation[] = [];
    const keywordHits = mode === 'vector' ? [] : this.deps.keyword.query(query, n, opts.filter);
    let vectorHits: Scored<Chunk>[] = [];
    if (mode !== 'keyword') {
      const v = await this.vectorPart.run(() => this.vectorQuery(query, n, opts.filter));
      if (v.ok) vectorHits = v.value;
      else degraded.push(v.degradation);
    }
    let ranked: Scored<Chunk>[];
    if (mode === 'keyword') ranked = keywordHits;
    else if (mode === 'vector') ranked = vectorHits.length > 0 || degraded.length === 0 ? vectorHits : this.deps.keyword.query(query, n, opts.filter);
    else {
      const inKeyword = new Set(keywordHits.map((h) => h.item.id));
      // A zero-weight vector list still runs (its similarities feed the not-found gate) but adds no hits: its
      // zero-score fill-ins used to follow the keyword hits and repeat documents already listed (fusion.ts).
      const lists = [
        { hits: keywordHits, weight: 1 },
        { hits: s.fusion === 'rrf-within-keyword' ? vectorHits.filter((h) => inKeyword.has(h.item.id)) : vectorHits, weight: s.vectorWeight },
      ];
      ranked = s.fusion === 'score' ? scoreFusion(lists) : reciprocalRankFusion(lists, s.rrfK);
    }
    let collapsed = collapseNearDuplicates(ranked, s.dedupThreshold);
    if (this.deps.reranker && opts.rerank !== false && collapsed.length > 1) {
      const r = await this.rerankPart.run(() => this.rerank(query, collapsed));
      if (r.ok) collapsed = r.value;
      else degraded.push(r.degradation);
    }
    // A PDF page is a document of its own here (it is what a citation points at): pages of one long manual
    // are not penalised for sharing a file — that halved the third-best page of the gnuplot manual and on.
    const diverse = diversifyByDocument(collapsed, (h) => `${h.item.sourceRoot}\u0000${h.item.sourceId}\u0000${h.item.page ?? ''}`, s.maxPerDocument);
    const vectorScore = new Map(vectorHits.map((h) => [h.item.id, h.score]));
    const keywordScore = new Map(keywordHits.map((h) => [h.item.id, h.score]));
    const top = diverse.slice(0, opts.k);
    const coverage = this.deps.keyword.coverage(query, top.map((h) => h.item.id));
    const hits = top.map((h) => toHit(h, { vector: vectorScore.get(h.item.id) ?? null, keyword: keywordScore.get(h.item.id) ?? null, coverage: coverage.get(h.item.id) ?? null }));
    return { hits, degraded };
  }

  /**
   * The vector list: Chroma returns ids and similarities; the chunks come from the keyword index's table. A
   * `coverage` filter (dates asked about) is applied here, on those chunks: vector stores do not hold record
   * periods (src/stores/chroma-filter.ts says why). Asking for COVERAGE_OVERFETCH× as many first keeps the list
   * about as long as an unfiltered one when most near neighbours fall outside the dates.
   */
  private async vectorQuery(query: string, n: number, filter?: Filter): Promise<Scored<Chunk>[]> {
    const v = await this.deps.embedder.embedQuery(query);
    const dated = filter?.coverage !== undefined;
    const found = await this.deps.store.query(v, dated ? n * COVERAGE_OVERFETCH : n, withoutCoverage(filter));
    const chunks = new Map(this.deps.keyword.chunksById(found.map((f) => f.id)).map((c) => [c.id, c]));
    const hits = found.flatMap((f) => {
      const item = chunks.get(f.id);
      return item && (!dated || matchesFilter(item, filter)) ? [{ item, score: f.score }] : [];
    });
    return hits.slice(0, n);
  }

  /**
   * Re-orders the first `rerankCandidates` hits by reciprocal rank fusion of the reranker's order and the
   * fused retrieval order (a weak reranker), or by the reranker's score alone (a cross-encoder). The tail keeps
   * its order behind them, rescaled to stay below the head: a tail left on its own scale (raw BM25 ~60 against
   * reranker scores ~0.1) was re-sorted above the head by the diversity step — keyword mode's recall@5 fell
   * from 0.91 to 0.17 on a research-data feed that way.
   */
  private async rerank(query: string, hits: CollapsedHit[]): Promise<CollapsedHit[]> {
    const reranker = this.deps.reranker!;
    const head = hits.slice(0, this.deps.settings.rerankCandidates);
    const scores = await reranker.score(query, head.map((h) => h.item.text));
    if (scores.length !== head.length || scores.some((x) => !Number.isFinite(x))) {
      throw new Error(`${reranker.id} returned ${scores.length} scores for ${head.length} passages`);
    }
    // Stable sort: tied reranker scores keep the retrieval order, so ties cannot reshuffle the head.
    const byReranker = head.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
    const fused = new Array<number>(head.length);
    if (reranker.fuseWithRetrieval) {
      byReranker.forEach((i, rank) => (fused[i] = 1 / (RERANK_RRF_K + rank + 1) + 1 / (RERANK_RRF_K + i + 1)));
    } else {
      head.forEach((_, i) => (fused[i] = scores[i]!));
    }
    const rescored = head.map((h, i) => ({ ...h, score: fused[i]! })).sort((a, b) => b.score - a.score);
    return [...rescored, ...belowHead(hits.slice(head.length), rescored)];
  }
}

/** The tail after a rerank, in its order, with positive scores below the head's lowest (see rerank). */
function belowHead(tail: CollapsedHit[], head: CollapsedHit[]): CollapsedHit[] {
  if (tail.length === 0) return tail;
  const floor = Math.min(...head.map((h) => h.score));
  // Cross-encoder logits can be negative: step down from the floor, never up.
  return tail.map((h, j) => ({ ...h, score: floor > 0 ? floor * 0.99 ** (j + 1) : floor - (j + 1) }));
}

function toHit(h: CollapsedHit, signals: RetrievedHit['signals']): RetrievedHit {
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
    modified: c.modified,
    fields: c.fields ?? {},
    alsoIn: h.duplicates.map((d) => d.sourceId).filter((id) => id !== c.sourceId),
    signals,
  };
}
