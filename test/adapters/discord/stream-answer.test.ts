import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MessageSeries, type MessageSurface } from '../../../src/adapters/discord/message-series.js';
import type { OutgoingMessage } from '../../../src/adapters/discord/outgoing.js';
import { streamAnswer } from '../../../src/adapters/discord/stream-answer.js';
import { AnswerMemory, mergeTurns, toTurn } from '../../../src/adapters/discord/thread-history.js';
import type { AnswerPart } from '../../../src/core/answer/types.js';
import { DocentError } from '../../../src/core/errors.js';

/** A surface that keeps messages in an array and logs each request. */
function memorySurface() {
  const messages: OutgoingMessage[] = [{ content: 'placeholder' }];
  const log: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const track = async <T>(what: string, fn: () => T): Promise<T> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    log.push(what);
    await new Promise((r) => setTimeout(r, 1));
    inFlight--;
    return fn();
  };
  const surface: MessageSurface = {
    edit: (index, _id, m) => track(`edit ${index}`, () => ((messages[index] = m), `m${index}`)),
    append: (m) => track('append', () => `m${messages.push(m) - 1}`),
    remove: (id) => track(`remove ${id}`, () => void messages.splice(Number(id.slice(1)), 1)),
  };
  return { surface, messages, log, maxInFlight: () => maxInFlight };
}

async function* parts(list: AnswerPart[], throwAtEnd?: Error): AsyncGenerator<AnswerPart> {
  for (const p of list) yield p;
  if (throwAtEnd) throw throwAtEnd;
}

const finish = (text: string): AnswerPart => ({
  type: 'finish',
  info: { text, citations: [{ n: 1, passage: 1, title: 'T', sourceId: 's', url: null, path: 'a.md', page: null }], backend: 'b', finishReason: 'stop', fallbacks: [], degraded: [], cached: false, notFound: false, searchQuery: text, timings: { retrievalMs: 0, firstTokenMs: 0, totalMs: 0 } },
});
const logger = pino({ level: 'silent' });

describe('streamAnswer', () => {
  it('streams into the first message, then ends with sources and buttons', async () => {
    const s = memorySurface();
    const result = await streamAnswer({
      parts: parts([{ type: 'sources', passages: [] }, { type: 'text-delta', text: 'Hello ' }, { type: 'text-delta', text: 'world [1].' }, finish('Hello world [1].')]),
      series: new MessageSeries(s.surface, { id: 'm0', content: 'placeholder' }), answerId: 'a9', editIntervalMs: 10, logger,
    });
    expect(result.outcome).toBe('finished');
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0]!.content).toBe('Hello world [1].\n\n**Sources**\n[1] T — `a.md`');
    expect(JSON.stringify(s.messages[0]!.components)).toContain('docent:fb:down:a9');
    expect(s.maxInFlight()).toBe(1);
  });

  it('keeps the partial text and adds one polite sentence on an error part', async () => {
    const s = memorySurface();
    const result = await streamAnswer({
      parts: parts([{ type: 'text-delta', text: 'Half an answer' }, { type: 'error', error: new DocentError('x', 'provider', 'down') }]),
      series: new MessageSeries(s.surface), answerId: 'a', editIntervalMs: 10, logger,
    });
    expect(result.outcome).toBe('error');
    expect(s.messages[0]!.content).toBe('Half an answer\n\nSorry — a service Docent depends on is not answering right now. Please try again in a minute.');
    expect(s.messages[0]!.components).toBeUndefined();
  });

  it('treats a thrown stream or one that ends without finish as an error, politely', async () => {
    for (const stream of [parts([{ type: 'text-delta', text: 'x' }], new Error('bug')), parts([])]) {
      const s = memorySurface();
      const result = await streamAnswer({ parts: stream, series: new MessageSeries(s.surface), answerId: 'a', editIntervalMs: 10, logger });
      expect(result.outcome).toBe('error');
      expect(s.messages[0]!.content).toMatch(/Sorry — something went wrong while answering/);
    }
  });

  it('spills a long answer into appended messages and edits only what changed', async () => {
    const s = memorySurface();
    const long = `${'First paragraph sentence. '.repeat(70)}\n\n${'Second paragraph sentence. '.repeat(70)}`;
    await streamAnswer({
      parts: parts([{ type: 'text-delta', text: long }, finish(long)]),
      series: new MessageSeries(s.surface), answerId: 'a', editIntervalMs: 10, logger,
    });
    expect(s.messages.length).toBe(2);
    expect(s.messages.map((m) => m.content).join('')).toMatch(/^First paragraph sentence\. [\s\S]+\*\*Sources\*\*/);
    expect(s.log.filter((l) => l === 'append')).toHaveLength(1);
  });
});

describe('thread history turns', () => {
  const bot = { id: 'B', bot: true };
  const user = { id: 'U', bot: false };
  it('turns bot messages into assistant turns without sources, strips the mention, skips other bots', () => {
    expect(toTurn({ type: 0, content: 'Answer [1].\n\n**Sources**\n[1] T\n\n-# Answered from the cache of recent answers.', author: bot } as never, 'B')).toEqual({ role: 'assistant', text: 'Answer [1].' });
    expect(toTurn({ type: 0, content: '<@B> and in winter?', author: user } as never, 'B')).toEqual({ role: 'user', text: 'and in winter?' });
    expect(toTurn({ type: 0, content: 'beep', author: { id: 'X', bot: true } } as never, 'B')).toBeNull();
    expect(toTurn({ type: 21, content: '', author: user } as never, 'B')).toBeNull();
  });

  it('merges an answer split over several messages into one turn', () => {
    expect(mergeTurns([{ role: 'user', text: 'q' }, { role: 'assistant', text: 'a1' }, { role: 'assistant', text: 'a2' }])).toEqual([
      { role: 'user', text: 'q' }, { role: 'assistant', text: 'a1\n\na2' },
    ]);
  });
  it('remembers /ask replies up to a bound, the oldest first out: a recall does not keep one longer', () => {
    const memory = new AnswerMemory(2);
    memory.remember('1', 'q1', 'a1');
    memory.remember('2', 'q2', 'a2');
    expect(memory.recall('1')).toEqual({ question: 'q1', answer: 'a1' });
    memory.remember('3', 'q3', 'a3');
    expect([memory.recall('1'), memory.recall('2')?.question, memory.recall('3')?.question]).toEqual([undefined, 'q2', 'q3']);
  });
});
