import { isStopWord, words } from '../text/text-tokens.js';
import type { Generator } from '../ports/generator.js';
import { abortError } from './retry.js';
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
  /** The question's signal: an abandoned question stops its rewrite at once (and throws its abort reason). */
  signal?: AbortSignal | undefined;
  /**
   * Whether the LLM may be asked now: the answer chain's circuit breaker for it is closed. While the breaker is
   * open (the LLM is known to be down) or probing (half-open: the answer's own attempt is the probe), the rule
   * rewrites at once instead of spending `timeoutMs` on a dead backend.
   */
  available?: (() => boolean) | undefined;
  /** Told why an LLM rewrite failed (then the rule is used); the core has no logger of its own. */
  onFailure?: ((err: unknown, info: { llm: string; reason: 'failed' | 'timeout' | 'empty' }) => void) | undefined;
}

/**
 * Turns a follow-up into a standalone search query: with an LLM when one is configured and its breaker is closed
 * (short timeout; its failure is reported and falls back to the rule), else by the rule. A question with no
 * history is returned unchanged. Throws only when `signal` aborts.
 */
export async function standaloneQuery(question: string, history: Turn[], opts: RewriteOptions): Promise<StandaloneQuery> {
  if (history.length === 0) return { query: question, focus: '', by: 'none' };
  const focus = newWords(question, history);
  if (opts.llm && (opts.available?.() ?? true)) {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new RewriteTimeout(opts.timeoutMs)), opts.timeoutMs);
    try {
      const query = await askForRewrite(opts.llm, question, history, opts.signal ? AbortSignal.any([opts.signal, timeout.signal]) : timeout.signal);
      if (query) return { query, focus, by: 'llm' };
      opts.onFailure?.(new Error('the rewrite was empty or unusable'), { llm: opts.llm.id, reason: 'empty' });
    } catch (err) {
      // The question was abandoned: nothing more to do for it.
      if (opts.signal?.aborted) throw abortError(opts.signal);
      // Otherwise fall through to the rule: a follow-up must still be searchable when the LLM is down.
      opts.onFailure?.(err, { llm: opts.llm.id, reason: err instanceof RewriteTimeout ? 'timeout' : 'failed' });
    } finally {
      clearTimeout(timer);
    }
  }
  if (opts.signal?.aborted) throw abortError(opts.signal);
  return { query: rewriteByRule(question, history), focus, by: 'rule' };
}

class RewriteTimeout extends Error {
  constructor(ms: number) {
    super(`the rewrite timed out after ${ms} ms`);
    this.name = 'RewriteTimeout';
  }
}

/**
 * Asks the LLM for the rewrite. Each chunk is raced against `signal`, so a backend that ignores its signal (stuck
 * in a read) cannot hold the question past the timeout or an abort; its stream is then closed in the background.
 */
async function askForRewrite(llm: Generator, question: string, history: Turn[], signal: AbortSignal): Promise<string> {
  const transcript = history.slice(-6).map((t) => `${t.role === 'user' ? 'User' : 'Assistant'}: ${t.text.slice(0, 500)}`).join('\n');
  const messages = [
    {
      role: 'system' as const,
      content: 'Rewrite the last user question as one standalone search query for a document catalog, using the conversation for context. Reply with the query only, no quotes, no explanation.',
    },
    { role: 'user' as const, content: `Conversation:\n${transcript}\n\nLast question: ${question}` },
  ];
  if (signal.aborted) throw abortError(signal);
  let onAbort!: () => void;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  stopped.catch(() => undefined);
  const iterator = llm.stream({ messages, question, passages: [], history, maxTokens: 64, temperature: 0 }, signal)[Symbol.asyncIterator]();
  let out = '';
  let done = false;
  try {
    for (;;) {
      const pending = iterator.next();
      pending.catch(() => undefined);
      const r = await Promise.race([pending, stopped]);
      if (r.done) {
        done = true;
        break;
      }
      if (r.value.type === 'text') out += r.value.text;
      if (r.value.type === 'finish' || out.length > 300) break;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    // Not awaited: return() queues behind a next() that may never settle.
    if (!done && iterator.return) void Promise.resolve().then(() => iterator.return!()).catch(() => undefined);
  }
  const line = out.trim().split('\n')[0]?.replace(/^["'“]|["'”]$/g, '').trim() ?? '';
  return line.length >= 2 && line.length <= 300 ? line : '';
}
