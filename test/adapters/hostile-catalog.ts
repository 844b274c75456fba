/**
 * A catalog planted with links, answered by the real answer pipeline (relevance check, fallback chain, the
 * extractive generator — which quotes documents verbatim, as a model copying a planted link would), for the
 * adapter tests of issue 14: "`[x](http://evil)` in a title or question is never a link".
 *
 * - "Where are the stream temperature loggers?" is answered from the first record: its title is a Markdown link
 *   to evil, its text carries a Markdown link and a bare URL to evil, and its own URL is a real https one.
 * - The question `[x](http://evil)` matches nothing, so the reply is the not-found text naming the closest
 *   records by title — the first one's link-shaped title, and the second one's `<javascript:…>`.
 */
import type { DocentServices } from '../../commands/services.js';
import { createAnswerPipeline } from '../../src/core/answer/answer-pipeline.js';
import { createFallbackChain } from '../../src/core/answer/fallback-chain.js';
import type { RetrievedPassage } from '../../src/core/answer/ports.js';
import type { Question } from '../../src/core/answer/types.js';
import { createExtractiveGenerator } from '../../src/providers/generators/extractive-generator.js';

/** The only link an answer may carry: the cited record's own URL. */
export const RECORD_URL = 'https://records.example.org/r/1';
export const EVIL_TITLE = '[click](http://evil.example)';
export const ANSWERED_QUESTION = 'Where are the stream temperature loggers?';
export const LINK_QUESTION = '[x](http://evil)';

export const HOSTILE_RECORDS: RetrievedPassage[] = [
  {
    id: 'r1', sourceId: 'catalog/loggers.xml', title: EVIL_TITLE, url: RECORD_URL, path: null, page: null, kind: 'fgdc',
    text: 'Stream temperature loggers are deployed in forty basins, where the stream is well mixed. '
      + 'The stream temperature loggers upload to [the portal](http://evil.example/steal) and to https://evil.example/raw every week.',
    signals: { vector: null, keyword: 3 },
  },
  {
    id: 'r2', sourceId: 'catalog/maps.xml', title: 'Trail maps <javascript:alert(1)>', url: 'javascript:alert(document.cookie)',
    path: 'catalog/maps.xml', page: null, kind: 'fgdc', text: 'Trail maps of the district, printed each spring.',
    signals: { vector: null, keyword: 1 },
  },
];

/**
 * A Markdown link to evil with its `](` intact (not preceded by a backslash, no zero-width space): what Discord,
 * or Slack's Markdown, would render as a clickable link.
 */
export const EVIL_MARKDOWN_LINK = /(?<!\\)\[[^\]\n]*\]\(\s*<?\s*[a-z]+:\/\/evil/i;
/** A URL to evil that a client would linkify by itself (bare, autolinked or as a Slack `<url|…>`). */
export const EVIL_URL = /(?:https?|ftp|steam):\/\/evil|www\.evil/i;

/** Docent services whose `ask` runs the real pipeline over the hostile records. */
export function hostileServices(): { services: DocentServices; asked: Question[] } {
  const asked: Question[] = [];
  const chain = createFallbackChain({
    backends: [{ generator: createExtractiveGenerator(), firstTokenTimeoutMs: 5000, totalTimeoutMs: 10_000, retries: 0 }],
    breaker: { failureThreshold: 3, cooldownMs: 60_000 },
    backoff: { baseMs: 1, maxMs: 2 },
  });
  const pipeline = createAnswerPipeline({
    retriever: { search: async () => ({ hits: HOSTILE_RECORDS, degraded: [] }) },
    chain,
    indexVersion: () => 1,
    // Relevance by word coverage only (no vector scores): the logger question covers the first record fully,
    // the link-shaped question covers nothing, so it gets the not-found reply naming the closest titles.
    settings: {
      k: 4, catalogName: 'the test catalog', historyTurns: 6, maxPassageChars: 1000, maxTokens: 300, temperature: 0,
      rewriteTimeoutMs: 500, minVectorScore: 0.5, minCoverage: 0.9, minWeightedCoverage: 0.5,
    },
  });
  let answers = 0;
  const services = {
    ask(question: Question) {
      asked.push(question);
      return { answerId: `hostile-${++answers}`, parts: pipeline.answer(question) };
    },
    status: async () => { throw new Error('not used'); },
    sources: async () => ({ sources: [{ source: '[src](http://evil.example/source)', documents: 2, chunks: 2 }] }),
    reindex: async () => { throw new Error('not used'); },
    isAdmin: () => false,
    scopeFor: () => undefined,
    recordFeedback: async () => undefined,
  } as unknown as DocentServices;
  return { services, asked };
}
