import type { DocentServices } from '../../commands/services.js';

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
