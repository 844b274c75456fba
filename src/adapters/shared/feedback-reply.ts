import type { FeedbackOutcome } from '../../../commands/services.js';

/** The private reply to a 👍/👎, the same on every platform: thanks, or why the vote did not count. */
export function feedbackReply(result: FeedbackOutcome | 'failed'): string {
  if (result === 'unknown-answer') return 'Sorry — I no longer have that answer on record, so the vote was not counted.';
  if (result === 'failed') return 'Sorry — your feedback could not be saved. Please try again later.';
  return 'Thanks for the feedback.';
}
