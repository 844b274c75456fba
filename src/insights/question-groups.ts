import { terms } from '../core/text/text-tokens.js';

/**
 * Groups questions that ask the same thing in different words ("lidar for Oregon?", "Oregon LiDAR data") so a
 * maintainer sees one gap with a count, not ten near-identical rows.
 *
 * How, and why this way:
 * 1. Each question becomes the set of its search terms — the project's tokenizer (src/core/text/text-tokens.ts) on the
 *    lower-cased question: stop words out, Porter-stemmed — the same notion of "a word" the search itself uses, so
 *    "harvests" and "harvest" are one word and "where can I find" adds nothing. A question with no terms at all
 *    ("???", "hi") keeps its normalised text as its only "term", so it groups only with the same text.
 * 2. Questions with the same term set are one wording class. Classes are taken most-asked first (ties: the
 *    earliest asked, then the term key), so a group's leader is its most common wording.
 * 3. Greedy leader clustering: each class joins the existing group whose leader's term set is most similar by
 *    Jaccard (|A∩B| / |A∪B|) if that similarity is at least `threshold` (default 0.5; ties: the older group),
 *    else it starts a new group. Comparing with the leader, not with every member, keeps groups from drifting
 *    through chains of loosely related questions, and keeps the cost at classes × groups.
 * Same input, same groups: every order above is total, so the result is deterministic.
 */

export interface GroupInput {
  text: string;
  /** When it was asked (ms). */
  at: number;
}

export interface QuestionGroup<T extends GroupInput> {
  /** The leader's terms (stemmed), for display as "key words". */
  terms: string[];
  members: T[];
}

export const DEFAULT_SIMILARITY = 0.5;

/** The term set of a question, as described above. */
export function questionTerms(text: string): string[] {
  // Lower-cased first: the tokenizer splits camelCase ("LiDAR" → li, dar), but people type "lidar" and "LiDAR" alike.
  const t = [...new Set(terms(text.toLowerCase()))].sort();
  if (t.length > 0) return t;
  const plain = text.toLowerCase().replace(/\s+/g, ' ').trim();
  return plain ? [plain] : [];
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Groups `items` by similar wording; groups come out largest first (ties: the most recently asked first). */
export function groupQuestions<T extends GroupInput>(items: readonly T[], threshold = DEFAULT_SIMILARITY): Array<QuestionGroup<T>> {
  const classes = new Map<string, { terms: string[]; members: T[]; first: number }>();
  for (const item of items) {
    const t = questionTerms(item.text);
    const key = t.join(' ');
    const c = classes.get(key);
    if (c) {
      c.members.push(item);
      c.first = Math.min(c.first, item.at);
    } else classes.set(key, { terms: t, members: [item], first: item.at });
  }
  const ordered = [...classes.entries()].sort(([ka, a], [kb, b]) => b.members.length - a.members.length || a.first - b.first || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const groups: Array<{ leader: Set<string>; terms: string[]; members: T[] }> = [];
  for (const [, c] of ordered) {
    const set = new Set(c.terms);
    let best: (typeof groups)[number] | undefined;
    let bestScore = -1;
    for (const g of groups) {
      const s = jaccard(set, g.leader);
      if (s >= threshold && s > bestScore) {
        best = g;
        bestScore = s;
      }
    }
    if (best) best.members.push(...c.members);
    else groups.push({ leader: set, terms: c.terms, members: [...c.members] });
  }
  const last = (g: { members: T[] }) => Math.max(...g.members.map((m) => m.at));
  return groups
    .map((g) => ({ terms: g.terms, members: [...g.members].sort((a, b) => a.at - b.at) }))
    .sort((a, b) => b.members.length - a.members.length || last(b) - last(a) || (a.terms.join(' ') < b.terms.join(' ') ? -1 : 1));
}
