import type { AnsweringService } from '../../../commands/services.js';
import type { Logger } from '../../logging/logger.js';
import { parseFeedbackAction } from './blocks.js';
import { slackErrorCode } from './outgoing.js';
import type { SlackCalls } from './slack-calls.js';
import { feedbackReply } from '../shared/feedback-reply.js';

/** What a 👍/👎 click carries (from a `block_actions` payload). */
export interface FeedbackClick {
  actionId: string;
  userId: string;
  channel: string | undefined;
  /** The thread of the message clicked, so the thanks appear where the user is looking. */
  threadTs: string | undefined;
}

/**
 * Records a vote (the action id carries the answer id, so a click counts after a restart too), then thanks
 * the clicker privately with an ephemeral message — through the shared call budget like every other call, so a
 * burst of votes waits its turn in chat.postEphemeral's tier instead of drawing 429s. Runs after `ack()`.
 * Never throws.
 */
export async function handleFeedbackClick(click: FeedbackClick, calls: Pick<SlackCalls, 'call'>, services: Pick<AnsweringService, 'recordFeedback'>, logger: Logger): Promise<void> {
  const parsed = parseFeedbackAction(click.actionId);
  if (!parsed) return;
  let text: string;
  try {
    const outcome = await services.recordFeedback({ ...parsed, userId: click.userId, platform: 'slack' });
    text = feedbackReply(outcome);
    logger.info({ answerId: parsed.answerId, vote: parsed.vote, userId: click.userId, outcome }, 'feedback');
  } catch (err) {
    text = feedbackReply('failed');
    logger.error({ err, answerId: parsed.answerId }, 'could not record feedback');
  }
  if (!click.channel) return;
  try {
    await calls.call('chat.postEphemeral', {
      channel: click.channel,
      user: click.userId,
      text,
      ...(click.threadTs ? { thread_ts: click.threadTs } : {}),
    });
  } catch (err) {
    logger.warn({ err, code: slackErrorCode(err) }, 'could not thank for feedback');
  }
}
