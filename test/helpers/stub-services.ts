import type { DocentServices } from '../../commands/services.js';
import type { AnswerPart, Question } from '../../src/core/answer/types.js';

/**
 * DocentServices for adapter tests that only exercise `ask`: everything else refuses or is empty, so a test
 * that reaches another service fails loudly instead of passing on a default.
 */
export function askOnlyServices(ask: DocentServices['ask'], over: Partial<DocentServices> = {}): DocentServices {
  return {
    ask,
    status: () => Promise.reject(new Error('not used')),
    sources: async () => ({ sources: [] }),
    reindex: () => Promise.reject(new Error('not used')),
    isAdmin: () => false,
    scopeFor: () => undefined,
    recordFeedback: async () => 'recorded' as const,
    ...over,
  };
}

/**
 * Ask-only services that answer every question at once with "Answer to: <question>" (no sources), recording each
 * question in `asked`; answer ids are `ans-1`, `ans-2`, … in order.
 */
export function echoServices(asked: Question[]): DocentServices {
  return askOnlyServices(function ask(question) {
    asked.push(question);
    async function* parts(): AsyncGenerator<AnswerPart> {
      const text = `Answer to: ${question.text}`;
      yield { type: 'text-delta', text };
      yield {
        type: 'finish',
        info: {
          text, citations: [], backend: 'scripted', finishReason: 'stop', fallbacks: [], degraded: [], cached: false, notFound: false,
          searchQuery: question.text, timings: { retrievalMs: 1, firstTokenMs: 1, totalMs: 2 },
        },
      };
    }
    return { answerId: `ans-${asked.length}`, parts: parts() };
  });
}
