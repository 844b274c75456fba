import type { Passage } from '../../core/answer/types.js';
import { terms } from '../../rag/text-tokens.js';
import type { GenerationRequest, Generator } from './generator.js';

export const EXTRACTIVE_ID = 'extractive';

/** The heading the extractive answer starts with, so nobody mistakes excerpts for a written answer. */
export const EXTRACTIVE_LABEL = 'Excerpts from the catalog (no language model was used):';

export interface ExtractiveOptions {
  /** Sentences in the answer. */
  maxSentences?: number;
  /** Passages sentences may come from (the best-ranked ones). */
  maxPassages?: number;
  /** Longest sentence quoted, in characters. */
  maxSentenceChars?: number;
}

/**
 * The answer with no LLM at all: the sentences of the top passages that share the most words with the
 * question, each quoted with its citation, in passage order. Deterministic, instant, never fails — the
 * zero-config default and the last resort of every fallback chain.
 */
export function createExtractiveGenerator(opts: ExtractiveOptions = {}): Generator {
  const maxSentences = opts.maxSentences ?? 4;
  const maxPassages = opts.maxPassages ?? 4;
  const maxChars = opts.maxSentenceChars ?? 400;
  return {
    id: EXTRACTIVE_ID,
    async *stream(request: GenerationRequest, signal: AbortSignal) {
      const picked = pickSentences(request.question, request.passages.slice(0, maxPassages), maxSentences, maxChars);
      if (picked.length === 0) return;
      yield EXTRACTIVE_LABEL;
      for (const s of picked) {
        if (signal.aborted) return;
        yield `\n\n> ${s.text} [${s.n}]`;
      }
    },
  };
}

interface Candidate {
  n: number;
  text: string;
  score: number;
  order: number;
}

/** Best sentences across passages: at most two per passage, at least one from the top passage. */
export function pickSentences(question: string, passages: Passage[], maxSentences: number, maxChars: number): Array<{ n: number; text: string }> {
  const q = new Set(terms(question));
  const candidates: Candidate[] = [];
  let order = 0;
  passages.forEach((p, rank) => {
    for (const sentence of sentencesOf(p)) {
      const ts = terms(sentence);
      // Too short to say anything, or the tail of a sentence cut by chunk overlap (starts in lower case).
      if (ts.length < 3 || /^[a-z]/.test(sentence)) continue;
      const overlap = new Set(ts.filter((t) => q.has(t))).size;
      // A sentence that shares no word with the question is not evidence for the answer.
      if (overlap === 0 && rank > 0) continue;
      // Overlap with the question matters most; better-ranked passages and earlier sentences break ties.
      const score = overlap / Math.sqrt(q.size || 1) + 0.3 / (rank + 1) + 0.1 / (1 + order);
      candidates.push({ n: p.n, text: clip(sentence, maxChars), score, order: order++ });
    }
  });
  const chosen: Candidate[] = [];
  const perPassage = new Map<number, number>();
  for (const c of [...candidates].sort((a, b) => b.score - a.score)) {
    if (chosen.length >= maxSentences) break;
    if ((perPassage.get(c.n) ?? 0) >= 2) continue;
    chosen.push(c);
    perPassage.set(c.n, (perPassage.get(c.n) ?? 0) + 1);
  }
  const top = passages[0];
  if (top && !chosen.some((c) => c.n === top.n)) {
    const first = candidates.find((c) => c.n === top.n);
    if (first) chosen.splice(Math.max(0, chosen.length - 1), 1, first);
  }
  return chosen.sort((a, b) => a.order - b.order).map(({ n, text }) => ({ n, text }));
}

/**
 * Sentences of a passage's body. The header lines the chunker adds (title, "Keywords: …", the Markdown heading
 * path) are dropped: they are not statements worth quoting.
 */
function sentencesOf(p: Passage): string[] {
  const body = p.text
    .split('\n')
    .filter((line, i) => !(i === 0 && line.trim() === p.title) && !/^Keywords:/.test(line) && !(i === 0 && line.includes(' > ')))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return (body.match(/[^.!?]+(?:[.!?]+(?=\s|$)|$)/g) ?? []).map((s) => s.trim()).filter((s) => s.length >= 20);
}

function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.lastIndexOf(' ', max);
  return `${s.slice(0, cut > max / 2 ? cut : max)}…`;
}
