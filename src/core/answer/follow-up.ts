import { isStopWord, words } from '../../rag/text-tokens.js';
import type { Generator } from '../../providers/generators/generator.js';
import type { Turn } from './types.js';

/** Words that make a question lean on what came before ("and the one from 2011?"). */
const DEPENDENT = /^(and|also|what about|how about|same|then|or)\b|\b(it|its|that|those|these|this|one|ones|they|them|there|same|previous|above|former|latter)\b/i;

/** Words that point back at the conversation; they carry no search meaning of their own. */
const CONTEXT_WORDS = new Set(['and', 'also', 'about', 'same', 'then', 'or', 'it', 'its', 'that', 'those', 'these', 'this', 'one', 'ones', 'they', 'them', 'there', 'previous', 'above', 'former', 'latter']);

/**
 * Without an LLM: a question that leans on context gets the content words of the previous user question that
 * it does not already contain ("and the one from 2011?" after "timber harvest maps for Oregon" searches for
 * "timber harvest maps oregon … 2011"). Questions that stand alone are left as they are.
 */
export function rewriteByRule(question: string, history: Turn[]): string {
  const previous = [...history].reverse().find((t) => t.role === 'user');
  if (!previous) return question;
  const own = ownWords(question);
  const dependent = DEPENDENT.test(question.trim()) || own.length <= 2;
  if (!dependent) return question;
  const have = new Set(own);
  const carried = words(previous.text).filter((w) => !isStopWord(w) && !have.has(w) && !CONTEXT_WORDS.has(w));
  return [...new Set(carried), ...own].join(' ');
}

function ownWords(question: string): string[] {
  return words(question).filter((w) => !isStopWord(w) && !CONTEXT_WORDS.has(w));
}

/**
 * The words a follow-up adds to the conversation ("winter" in "and in winter?" after a question about loggers):
 * searched at double weight and preferred by the excerpt picker, so the answer leads with the new aspect instead
 * of repeating the excerpts of the previous answer. Empty for a question with no earlier user turn.
 */
export function newWords(question: string, history: Turn[]): string {
  const previous = [...history].reverse().find((t) => t.role === 'user');
  if (!previous) return '';
  const before = new Set(words(previous.text));
  return [...new Set(ownWords(question).filter((w) => !before.has(w)))].join(' ');
}

export interface StandaloneQuery {
  query: string;
  /** The follow-up's new words (newWords); '' for a question that stands alone. */
  focus: string;
  by: 'none' | 'llm' | 'rule';
}

export interface RewriteOptions {
  /** An LLM backend for the rewrite; undefined means the rule alone. */
  llm?: Generator | undefined;
  timeoutMs: number;
}

/**
 * Turns a follow-up into a standalone search query: with an LLM when one is configured (short timeout; its
 * failure falls back to the rule), else by the rule. A question with no history is returned unchanged.
 */
export async function standaloneQuery(question: string, history: Turn[], opts: RewriteOptions): Promise<StandaloneQuery> {
  if (history.length === 0) return { query: question, focus: '', by: 'none' };
  const focus = newWords(question, history);
  if (opts.llm) {
    try {
      const query = await askForRewrite(opts.llm, question, history, opts.timeoutMs);
      if (query) return { query, focus, by: 'llm' };
    } catch {
      // Fall through to the rule: a follow-up must still be searchable when the LLM is down.
    }
  }
  return { query: rewriteByRule(question, history), focus, by: 'rule' };
}

async function askForRewrite(llm: Generator, question: string, history: Turn[], timeoutMs: number): Promise<string> {
  const transcript = history.slice(-6).map((t) => `${t.role === 'user' ? 'User' : 'Assistant'}: ${t.text.slice(0, 500)}`).join('\n');
  const messages = [
    {
      role: 'system' as const,
      content: 'Rewrite the last user question as one standalone search query for a document catalog, using the conversation for context. Reply with the query only, no quotes, no explanation.',
    },
    { role: 'user' as const, content: `Conversation:\n${transcript}\n\nLast question: ${question}` },
  ];
  const signal = AbortSignal.timeout(timeoutMs);
  let out = '';
  for await (const part of llm.stream({ messages, question, passages: [], history, maxTokens: 64, temperature: 0 }, signal)) {
    if (part.type === 'text') out += part.text;
    if (out.length > 300) break;
  }
  const line = out.trim().split('\n')[0]?.replace(/^["'“]|["'”]$/g, '').trim() ?? '';
  return line.length >= 2 && line.length <= 300 ? line : '';
}
