import type { Passage } from '../../core/answer/types.js';
import { selectExcerpts } from './excerpt-selection.js';
import type { GenerationRequest, Generator } from '../../core/ports/generator.js';

export const EXTRACTIVE_ID = 'extractive';

/** The heading the extractive answer starts with, so nobody mistakes excerpts for a written answer. */
export const EXTRACTIVE_LABEL = 'Excerpts from the catalog (no language model was used):';

export interface ExtractiveOptions {
  /** Excerpts in the answer (sentences, table rows or list items; a sentence may bring its neighbour). */
  maxSentences?: number;
  /** Passages sentences may come from (the best-ranked ones). */
  maxPassages?: number;
  /** Longest sentence quoted, in characters. */
  maxSentenceChars?: number;
}

/**
 * The answer with no LLM at all: the sentences of the top passages that best cover the question's words, each
 * quoted whole with its citation, best first (excerpt-selection.ts). Deterministic, instant, never fails — the
 * zero-config default and the last resort of every fallback chain.
 */
export function createExtractiveGenerator(opts: ExtractiveOptions = {}): Generator {
  const maxSentences = opts.maxSentences ?? 5;
  const maxPassages = opts.maxPassages ?? 5;
  const maxChars = opts.maxSentenceChars ?? 500;
  return {
    id: EXTRACTIVE_ID,
    async *stream(request: GenerationRequest, signal: AbortSignal) {
      const picked = pickSentences(request.question, request.passages.slice(0, maxPassages), maxSentences, maxChars, request.focus);
      if (picked.length > 0) yield { type: 'text', text: EXTRACTIVE_LABEL };
      for (const s of picked) {
        if (signal.aborted) return;
        yield { type: 'text', text: `\n\n> ${s.text} [${s.n}]` };
      }
      yield { type: 'finish', reason: 'stop' };
    },
  };
}

/** The excerpts for a request, best first (excerpt-selection.ts). */
export function pickSentences(question: string, passages: Passage[], maxSentences: number, maxChars: number, focus?: string): Array<{ n: number; text: string }> {
  return selectExcerpts(question, passages, { maxExcerpts: maxSentences, perPassage: 2, maxChars, ...(focus ? { focus } : {}) });
}
