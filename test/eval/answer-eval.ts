/**
 * The answer-level eval (`npm run eval -- --answers`): every labelled question is answered the way `docent ask`
 * answers it (the runtime's answer pipeline, no LLM unless one is configured) and the answer is judged by the key
 * phrase the right excerpt must contain (test/eval/questions/key-phrases-<corpus>.json, written by reading the
 * gold pages). Off-topic questions that share the corpus's words (off-topic-<corpus>.json) must be refused.
 * Held-out questions are counted apart: they are not used to tune the selection or the not-found gate.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { EvalQuestion } from './corpora.js';

export interface KeyPhraseFile {
  [questionId: string]: { phrases: string[]; note?: string };
}

export interface OffTopicQuestion {
  id: string;
  question: string;
  heldOut: boolean;
}

export interface AnswerOutcome {
  text: string;
  notFound: boolean;
}

export type Verdict = 'key-phrase' | 'without-key-phrase' | 'wrongly-refused';

export interface AnswerTally {
  answerable: number;
  withKey: number;
  withoutKey: number;
  wronglyRefused: number;
  offTopic: number;
  offTopicAnswered: number;
}

export interface AnswerEvalResult {
  corpus: string;
  backend: string;
  all: AnswerTally;
  tuning: AnswerTally;
  heldOut: AnswerTally;
  /** Answerable question id → verdict; off-topic question id → answered or not. */
  verdicts: Record<string, Verdict>;
  offTopicAnsweredIds: string[];
  /** Questions with no key phrase written (not counted). */
  unlabelled: string[];
}

export function readAnswerLabels(repo: string, corpus: string): { keys: KeyPhraseFile; offTopic: OffTopicQuestion[] } | { skip: string } {
  const dir = path.join(repo, 'test/eval/questions');
  const keysFile = path.join(dir, `key-phrases-${corpus}.json`);
  const offFile = path.join(dir, `off-topic-${corpus}.json`);
  if (!existsSync(keysFile)) return { skip: `no key phrases (${path.relative(repo, keysFile)})` };
  if (!existsSync(offFile)) return { skip: `no off-topic questions (${path.relative(repo, offFile)})` };
  return {
    keys: JSON.parse(readFileSync(keysFile, 'utf8')) as KeyPhraseFile,
    offTopic: JSON.parse(readFileSync(offFile, 'utf8')) as OffTopicQuestion[],
  };
}

/** Case, whitespace, Markdown emphasis and typographic quotes do not decide whether a phrase was quoted. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[*_`]+/g, '')
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

export function judge(outcome: AnswerOutcome, phrases: string[]): Verdict {
  if (outcome.notFound) return 'wrongly-refused';
  const text = normalise(outcome.text);
  return phrases.some((p) => text.includes(normalise(p))) ? 'key-phrase' : 'without-key-phrase';
}

export async function evaluateAnswers(
  corpus: string,
  backend: string,
  ask: (question: string) => Promise<AnswerOutcome>,
  questions: EvalQuestion[],
  labels: { keys: KeyPhraseFile; offTopic: OffTopicQuestion[] },
): Promise<AnswerEvalResult> {
  const verdicts: Record<string, Verdict> = {};
  const unlabelled: string[] = [];
  const empty = (): AnswerTally => ({ answerable: 0, withKey: 0, withoutKey: 0, wronglyRefused: 0, offTopic: 0, offTopicAnswered: 0 });
  const tallies = { all: empty(), tuning: empty(), heldOut: empty() };
  const count = (heldOut: boolean, f: (t: AnswerTally) => void) => {
    f(tallies.all);
    f(heldOut ? tallies.heldOut : tallies.tuning);
  };
  for (const q of questions) {
    const phrases = labels.keys[q.id]?.phrases ?? [];
    if (phrases.length === 0) {
      unlabelled.push(q.id);
      continue;
    }
    const v = judge(await ask(q.question), phrases);
    verdicts[q.id] = v;
    count(q.heldOut, (t) => {
      t.answerable++;
      if (v === 'key-phrase') t.withKey++;
      else if (v === 'without-key-phrase') t.withoutKey++;
      else t.wronglyRefused++;
    });
  }
  const offTopicAnsweredIds: string[] = [];
  for (const q of labels.offTopic) {
    const answered = !(await ask(q.question)).notFound;
    if (answered) offTopicAnsweredIds.push(q.id);
    count(q.heldOut, (t) => {
      t.offTopic++;
      if (answered) t.offTopicAnswered++;
    });
  }
  return { corpus, backend, ...tallies, verdicts, offTopicAnsweredIds, unlabelled };
}

const pct = (n: number, d: number) => (d === 0 ? '–' : `${Math.round((100 * n) / d)} %`);

/** One Markdown table over the corpora; the targets (issue 14) in the header so a reader sees pass/fail. */
export function printAnswerTable(results: AnswerEvalResult[]): void {
  console.log('\n## Answers (no LLM unless configured): key phrase quoted, refusals\n');
  console.log('Targets: key phrase ≥ 70 % of answerable questions, wrongly refused ≤ 5 %, off-topic answered ≤ 5 %.\n');
  console.log('| corpus | backend | answerable | with key phrase | answered without it | wrongly refused | off-topic answered | held out: key phrase / off-topic answered |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const a = r.all;
    const h = r.heldOut;
    console.log(
      `| ${r.corpus} | ${r.backend} | ${a.answerable} | ${pct(a.withKey, a.answerable)} | ${pct(a.withoutKey, a.answerable)} | ` +
        `${pct(a.wronglyRefused, a.answerable)} | ${a.offTopicAnswered}/${a.offTopic} (${pct(a.offTopicAnswered, a.offTopic)}) | ` +
        `${pct(h.withKey, h.answerable)} of ${h.answerable} / ${h.offTopicAnswered} of ${h.offTopic} |`,
    );
  }
  for (const r of results) {
    const missed = Object.entries(r.verdicts).filter(([, v]) => v !== 'key-phrase');
    if (missed.length) console.log(`\n${r.corpus}: ${missed.map(([id, v]) => `${id} ${v}`).join(', ')}`);
    if (r.offTopicAnsweredIds.length) console.log(`${r.corpus} off-topic answered: ${r.offTopicAnsweredIds.join(', ')}`);
    if (r.unlabelled.length) console.log(`${r.corpus} without key phrases (not counted): ${r.unlabelled.join(', ')}`);
  }
}
