import type { Passage } from '../../core/answer/types.js';
import { quotableUnits, type QuotableUnit } from '../../core/text/quotable.js';
import { terms } from '../../core/text/text-tokens.js';

export interface ExcerptOptions {
  /** Excerpts in the answer. */
  maxExcerpts: number;
  /** At most this many excerpts from one passage, so one page cannot fill the answer. */
  perPassage: number;
  /** Longest excerpt quoted, in characters (a longer one is cut at a word and marked …). */
  maxChars: number;
  /**
   * Words of a follow-up that are new to the conversation ("and in winter?"): they count double, so the excerpt
   * about the new aspect comes first rather than the one repeating the previous answer.
   */
  focus?: string;
}

export interface Excerpt {
  /** The passage number it cites. */
  n: number;
  text: string;
}

interface Candidate {
  n: number;
  rank: number;
  units: QuotableUnit[];
  index: number;
  covered: Set<string>;
  score: number;
}

/**
 * The sentences (or table rows, list items) that best answer the question, best first. Each question term
 * weighs by how rare it is among the candidate sentences, so the sentence with the distinctive word ("\timing",
 * "velocity") beats one repeating the common ones ("psql", "wading"). A sentence that covers less than half of
 * the question's weight is quoted with its next sentence when that one adds missing terms ("…neighbours when
 * one sentence is not enough"). A passage's rank breaks near-ties.
 */
export function selectExcerpts(question: string, passages: Passage[], opts: ExcerptOptions): Excerpt[] {
  const focus = new Set(terms(opts.focus ?? ''));
  const queryTerms = [...new Set([...terms(question), ...focus])];
  if (queryTerms.length === 0 || passages.length === 0) return [];
  const perPassage = passages.map((p) => quotableUnits(p));
  const unitTerms = perPassage.map((units) => units.map((u) => new Set(terms(u.text))));
  const total = unitTerms.reduce((s, us) => s + us.length, 0);
  const weight = new Map<string, number>();
  for (const t of queryTerms) {
    const df = unitTerms.reduce((s, us) => s + us.filter((u) => u.has(t)).length, 0);
    weight.set(t, Math.log(1 + (total + 1) / (df + 0.5)) * (focus.has(t) ? 2 : 1));
  }
  const whole = queryTerms.reduce((s, t) => s + weight.get(t)!, 0);
  const coverage = (covered: Set<string>) => [...covered].reduce((s, t) => s + weight.get(t)!, 0) / whole;

  const candidates: Candidate[] = [];
  passages.forEach((p, rank) => {
    perPassage[rank]!.forEach((unit, index) => {
      const ts = unitTerms[rank]![index]!;
      // Too short to say anything on its own ("See below.", a lone column name).
      if (ts.size < (unit.kind === 'row' || unit.kind === 'code' ? 2 : 3)) return;
      const covered = new Set(queryTerms.filter((t) => ts.has(t)));
      if (covered.size === 0) return;
      const units = [unit];
      const next = perPassage[rank]![index + 1];
      if (coverage(covered) < 0.5 && next && next.block === unit.block) {
        const added = queryTerms.filter((t) => !covered.has(t) && unitTerms[rank]![index + 1]!.has(t));
        if (added.length > 0) {
          units.push(next);
          for (const t of added) covered.add(t);
        }
      }
      // A single sentence that covers as much beats a joined pair: it says the same in fewer words.
      candidates.push({ n: p.n, rank, units, index, covered, score: coverage(covered) + 0.08 / (rank + 1) - 0.04 * (units.length - 1) });
    });
  });

  const chosen: Candidate[] = [];
  const fromPassage = new Map<number, number>();
  const quoted = new Set<string>();
  for (const c of candidates.sort((a, b) => b.score - a.score || a.rank - b.rank || a.index - b.index)) {
    if (chosen.length >= opts.maxExcerpts) break;
    if ((fromPassage.get(c.n) ?? 0) >= opts.perPassage) continue;
    // No sentence twice: chunk overlap, a page repeated in two records, or a sentence already quoted in a joined pair.
    if (c.units.some((u) => quoted.has(u.text))) continue;
    chosen.push(c);
    for (const u of c.units) quoted.add(u.text);
    fromPassage.set(c.n, (fromPassage.get(c.n) ?? 0) + 1);
  }
  // Retrieval judged the top passage relevant on meaning alone (no shared word): show its opening statement.
  if (chosen.length === 0) {
    const first = perPassage[0]!.find((_, i) => unitTerms[0]![i]!.size >= 3);
    return first ? [{ n: passages[0]!.n, text: clip(first.text, opts.maxChars) }] : [];
  }
  return chosen.map((c) => ({ n: c.n, text: clip(c.units.map((u) => u.text).join(' '), opts.maxChars) }));
}

function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.lastIndexOf(' ', max);
  return `${s.slice(0, cut > max / 2 ? cut : max)}…`;
}
