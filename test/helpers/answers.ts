import type { AnswerPart } from '../../src/core/answer/types.js';

/** Collects every part of an answer stream. */
export async function drain(parts: AsyncIterable<AnswerPart>): Promise<AnswerPart[]> {
  const out: AnswerPart[] = [];
  for await (const p of parts) out.push(p);
  return out;
}

/**
 * Collects an answer stream with a deadline, so silence is a result rather than a hung test: returns the parts
 * seen so far, whether the deadline passed, and the text shown.
 */
export async function drainWithin(parts: AsyncIterable<AnswerPart>, limitMs: number): Promise<{ parts: AnswerPart[]; timedOut: boolean; text: string }> {
  const seen: AnswerPart[] = [];
  const done = (async () => {
    for await (const p of parts) seen.push(p);
    return 'done' as const;
  })();
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([done, new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), limitMs)))]);
  clearTimeout(timer);
  const text = seen.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('');
  return { parts: seen, timedOut: r === 'timeout', text };
}
