import { DocentError } from '../errors.js';
import type { Degradation, Filter } from '../types.js';
import type { Generator as TextGenerator } from '../ports/generator.js';
import { AnswerCache, type CachedAnswer } from './answer-cache.js';
import { catalogAnswer, catalogFields, planCatalogSearch } from './catalog-answer.js';
import { CitationFilter } from './citations.js';
import type { ChainLogger, FallbackChain } from './fallback-chain.js';
import { standaloneQuery } from './follow-up.js';
import type { PassageRetriever, RetrievedPassage } from './ports.js';
import { buildMessages } from './prompt.js';
import { relevantPassages, type RelevanceThresholds } from './relevance.js';
import type { AnswerFinishReason, AnswerPart, CatalogFinish, Citation, FinishInfo, Passage, Question } from './types.js';
import { publicBackend, publicReason } from './public-reason.js';

export interface AnswerSettings extends RelevanceThresholds {
  /** Passages retrieved and shown to the model. */
  k: number;
  catalogName: string;
  historyTurns: number;
  maxPassageChars: number;
  maxTokens: number;
  temperature: number;
  rewriteTimeoutMs: number;
}

export interface AnswerPipelineDeps {
  retriever: PassageRetriever;
  chain: FallbackChain;
  /** The LLM used to rewrite follow-ups (the chain's first LLM), if any. */
  rewriter?: TextGenerator | undefined;
  cache?: AnswerCache | undefined;
  /** The serving index version: part of the cache key, so a reindex invalidates cached answers. */
  indexVersion: () => string | number;
  settings: AnswerSettings;
  now?: () => number;
  /** Where the pipeline reports what the user does not see (a failed follow-up rewrite); a pino logger fits. */
  logger?: Pick<ChainLogger, 'warn'> | undefined;
}

/**
 * Question + thread history → `sources`, `text-delta`…, then `finish` (or `error`). Errors never cross this
 * boundary as exceptions: adapters render an `error` part as one polite sentence.
 */
export function createAnswerPipeline(deps: AnswerPipelineDeps) {
  const now = deps.now ?? (() => performance.now());
  const s = deps.settings;

  async function* answer(question: Question, signal: AbortSignal = new AbortController().signal): AsyncGenerator<AnswerPart> {
    const started = now();
    try {
      // An empty scope means "no catalog here", never "everything": a filter's empty list constrains nothing, and
      // the cache key of [] is that of the whole catalog.
      if (question.sources?.length === 0) throw new DocentError('no_catalog', 'user', 'there is no catalog to search here.');
      const cacheKey = question.history.length === 0 ? AnswerCache.key(question.text, deps.indexVersion(), question.sources) : undefined;
      const hit = cacheKey ? deps.cache?.get(cacheKey) : undefined;
      if (hit) {
        yield* replay(hit, started);
        return;
      }
      const rewritten = await standaloneQuery(question.text, question.history, {
        llm: deps.rewriter, timeoutMs: s.rewriteTimeoutMs, signal,
        // The rewrite LLM is the chain's: while its breaker is not closed, the rule rewrites at once.
        available: () => (deps.chain.status().find((b) => b.backend === deps.rewriter?.id)?.state ?? 'closed') === 'closed',
        onFailure: (err, info) => deps.logger?.warn({ err, llm: info.llm, reason: info.reason }, 'follow-up rewrite failed; used the rule instead'),
      });
      const filter: Filter | undefined = question.sources?.length ? { sources: question.sources } : undefined;
      // A follow-up's new words are searched twice (BM25 counts repeated query terms): "and in winter?" must find
      // the winter passage, not the previous answer's passages again.
      // Dates in the question become a filter on records' coverage and leave the search words (catalog-answer.ts).
      const plan = planCatalogSearch(rewritten.query, filter);
      const searchText = rewritten.focus ? `${plan.query} ${rewritten.focus}` : plan.query;
      const { hits, degraded } = await deps.retriever.search(searchText, { k: s.k, ...(plan.filter ? { filter: plan.filter } : {}) });
      // The gate decides whether to answer at all; once one passage passes, every retrieved passage is offered to
      // the generator, which picks what answers (a passage-by-passage gate dropped the right page behind a weaker one).
      const relevant = relevantPassages(plan.query, hits, s).length > 0 ? hits : [];
      const retrievalMs = now() - started;
      const passages = relevant.map(toPassage);
      yield { type: 'sources', passages };
      const catalog = catalogAnswer(plan, relevant, passages);

      if (passages.length === 0) {
        const text = catalog.lead + notFoundText(hits) + degradedNote(degraded);
        yield { type: 'text-delta', text };
        const info = { ...finishInfo({ text, citations: [], backend: 'none', notFound: true, searchQuery: rewritten.query, retrievalMs, firstTokenMs: null, started, degraded, ...catalog.finish }), nearest: nearestRecords(hits) };
        if (cacheKey && degraded.length === 0) deps.cache?.set(cacheKey, cached(info, passages));
        yield { type: 'finish', info };
        return;
      }

      const messages = buildMessages(question.text, question.history, passages, s);
      const request = { messages, question: rewritten.query, focus: rewritten.focus, passages, history: question.history, maxTokens: s.maxTokens, temperature: s.temperature };
      const filterMarks = new CitationFilter(new Set(passages.map((p) => p.n)));
      const generationStart = now();
      let firstTokenMs: number | null = null;
      let text = catalog.lead;
      if (catalog.lead) yield { type: 'text-delta', text: catalog.lead };
      let backend = 'none';
      let fallbacks: FinishInfo['fallbacks'] = [];
      let finishReason: AnswerFinishReason = 'stop';
      const notes: string[] = [];
      for await (const ev of deps.chain.run(request, signal)) {
        if (ev.type === 'delta') {
          const shown = filterMarks.push(ev.text);
          if (!shown) continue;
          firstTokenMs ??= now() - generationStart;
          text += shown;
          yield { type: 'text-delta', text: shown };
        } else if (ev.type === 'fallback') {
          if (ev.partial) {
            // The user already sees part of an answer: say at once why it stops and what follows.
            const note = `${filterMarks.flush()}\n\n_(${publicBackend(ev.from)} stopped mid-answer: ${publicReason(ev.reason)}. Continuing with ${describe(ev.to)}.)_\n\n`;
            text += note;
            yield { type: 'text-delta', text: note };
          } else {
            notes.push(`${publicBackend(ev.from)} was unavailable (${publicReason(ev.reason)})`);
          }
        } else {
          backend = ev.backend;
          fallbacks = ev.fallbacks;
          finishReason = ev.finishReason;
        }
      }
      const tail = filterMarks.flush() + endNote(finishReason) + (notes.length ? `\n\n_Note: ${notes.join('; ')}; answered by ${describe(backend)}._` : '') + degradedNote(degraded);
      if (tail) {
        text += tail;
        yield { type: 'text-delta', text: tail };
      }
      const citations = citationsFor(passages, filterMarks.cited());
      const info = finishInfo({ text, citations, backend, notFound: false, searchQuery: rewritten.query, retrievalMs, firstTokenMs, started, fallbacks, degraded, finishReason, ...catalog.cited(citations) });
      // A degraded, fallback or incomplete answer is not the one a healthy Docent would give: don't keep it.
      if (cacheKey && finishReason === 'stop' && fallbacks.length === 0 && degraded.length === 0) deps.cache?.set(cacheKey, cached(info, passages));
      yield { type: 'finish', info };
    } catch (err) {
      if (signal.aborted) return;
      yield { type: 'error', error: err instanceof DocentError ? err : new DocentError('answer_failed', 'internal', (err as Error).message, { cause: err }) };
    }
  }

  function* replay(hit: CachedAnswer, started: number): Generator<AnswerPart> {
    yield { type: 'sources', passages: hit.passages };
    yield { type: 'text-delta', text: hit.text };
    yield {
      type: 'finish',
      info: { ...finishInfo({ ...hit, retrievalMs: 0, firstTokenMs: null, started }), ...(hit.nearest ? { nearest: hit.nearest } : {}), cached: true },
    };
  }

  function finishInfo(o: {
    text: string; citations: Citation[]; backend: string; notFound: boolean; searchQuery: string;
    retrievalMs: number; firstTokenMs: number | null; started: number; fallbacks?: FinishInfo['fallbacks']; degraded?: Degradation[];
    finishReason?: AnswerFinishReason;
  } & CatalogFinish): FinishInfo {
    return {
      ...catalogFields(o),
      finishReason: o.finishReason ?? 'stop',
      text: o.text, citations: o.citations, backend: o.backend, notFound: o.notFound, searchQuery: o.searchQuery,
      fallbacks: o.fallbacks ?? [], degraded: o.degraded ?? [], cached: false,
      timings: { retrievalMs: o.retrievalMs, firstTokenMs: o.firstTokenMs, totalMs: now() - o.started },
    };
  }

  return { answer };
}

export type AnswerPipeline = ReturnType<typeof createAnswerPipeline>;

function toPassage(p: RetrievedPassage, i: number): Passage {
  return { n: i + 1, chunkId: p.id, sourceId: p.sourceId, title: sectionTitle(p), url: p.url, path: p.path, page: p.page, kind: p.kind, text: p.text };
}

/** A Markdown chunk starts with its heading path ("Guide > Citing"): a more precise title for the source list. */
function sectionTitle(p: RetrievedPassage): string {
  const first = p.text.slice(0, p.text.indexOf('\n') >>> 0).trim();
  return p.kind === 'markdown' && first.startsWith(`${p.title} > `) && first.length <= 200 ? first : p.title;
}

/**
 * Cited passages in the order the answer numbered them (CitationFilter), with the number the user saw; when the
 * model cited nothing, the top three it was given, numbered 1–3.
 */
function citationsFor(passages: Passage[], cited: number[]): Citation[] {
  const byNumber = new Map(passages.map((p) => [p.n, p]));
  const chosen = cited.length ? cited.flatMap((n) => byNumber.get(n) ?? []) : passages.slice(0, 3);
  return chosen.map((p, i) => ({ n: i + 1, passage: p.n, title: p.title, sourceId: p.sourceId, url: p.url, path: p.path, page: p.page }));
}

/** The records a refusal names (the top hits, one per record), for the activity log. */
function nearestRecords(hits: RetrievedPassage[]): NonNullable<FinishInfo['nearest']> {
  const seen = new Set<string>();
  return hits.filter((h) => !seen.has(h.sourceId) && seen.add(h.sourceId)).slice(0, 3).map(({ title, sourceId, url, page }) => ({ title, sourceId, url, page }));
}

function notFoundText(hits: RetrievedPassage[]): string {
  const near = [...new Set(hits.slice(0, 3).map((h) => h.title))];
  const base = "I couldn't find that in the catalog.";
  return near.length ? `${base} The closest things I found were: ${near.map((t) => `"${t}"`).join(', ')}.` : base;
}

/**
 * One short line for the chat when retrieval ran without some of its parts. The reasons (which may name hosts
 * and ports) stay in `finish.degraded` and the log; the user learns what was missing and what it means.
 */
function degradedNote(degraded: Degradation[]): string {
  if (degraded.length === 0) return '';
  const parts = [...new Set(degraded.map((d) => d.part))].join(' and ');
  return `\n\n_Note: the ${parts} ${degraded.length > 1 && parts.includes(' and ') ? 'were' : 'was'} unavailable, so these results come from a simpler search and may be less complete._`;
}

/**
 * A plain line after an answer the model did not finish, so every surface (chat, console, `--json`) shows that
 * the text stops short. `other` (e.g. a tool call) gets none: the text itself is all there is.
 */
function endNote(reason: AnswerFinishReason): string {
  if (reason === 'length') return '\n\n(cut at the length limit)';
  if (reason === 'cut') return '\n\n(the answer was cut off)';
  if (reason === 'content-filter') return "\n\n(stopped by the model's content filter)";
  return '';
}

/** A backend as the answer's notes name it: no endpoint (public-reason.ts). */
function describe(backend: string): string {
  return backend === 'extractive' ? 'excerpts from the catalog' : publicBackend(backend);
}

function cached(info: FinishInfo, passages: Passage[]): CachedAnswer {
  return { passages, text: info.text, citations: info.citations, backend: info.backend, notFound: info.notFound, searchQuery: info.searchQuery, ...(info.nearest ? { nearest: info.nearest } : {}), ...catalogFields(info) };
}
