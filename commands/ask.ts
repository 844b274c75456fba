import type { CommandDefinition } from './types.js';

export const askCommand: CommandDefinition = {
  name: 'ask',
  description: 'Ask a question about the catalog; the answer cites its sources',
  options: [{ name: 'question', description: 'Your question, in your own words', type: 'string', required: true }],
  access: 'everyone',
  async run({ args, invoker, services, queueWaitMs }) {
    const text = String(args.question ?? '').trim();
    if (!text) return { type: 'text', markdown: 'Please add a question, e.g. `/ask question: where are the trail maps?`', ephemeral: true };
    const sources = services.scopeFor(invoker.channelId);
    const question = { text, history: [], askerId: invoker.userId, ...(sources ? { sources } : {}) };
    const { answerId, parts } = services.ask(question, { surface: invoker.platform, ...(queueWaitMs !== undefined ? { maxWaitMs: queueWaitMs } : {}) });
    return { type: 'answer', answerId, question, parts };
  },
};
