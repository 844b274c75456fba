import type { DocentServices } from '../../../commands/services.js';
import type { Logger } from '../../logging/logger.js';
import { parseFeedbackAction } from './blocks.js';
import { slackErrorCode, type WebClient } from './outgoing.js';

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
 * the clicker privately with an ephemeral message. Runs after `ack()`. Never throws.
 */
export async function handleFeedbackClick(click: FeedbackClick, client: WebClient, services: DocentServices, logger: Logger): Promise<void> {
  const parsed = parseFeedbackAction(click.actionId);
  if (!parsed) return;
  let ok = true;
  try {
    await services.recordFeedback({ ...parsed, userId: click.userId, platform: 'slack' });
    logger.info({ answerId: parsed.answerId, vote: parsed.vote, userId: click.userId }, 'feedback');
  } catch (err) {
    ok = false;
    logger.error({ err, answerId: parsed.answerId }, 'could not record feedback');
  }
  if (!click.channel) return;
  try {
    await client.chat.postEphemeral({
      channel: click.channel,
      user: click.userId,
      text: ok ? 'Thanks for the feedback.' : 'Sorry — your feedback could not be saved. Please try again later.',
      ...(click.threadTs ? { thread_ts: click.threadTs } : {}),
    });
  } catch (err) {
    logger.warn({ err, code: slackErrorCode(err) }, 'could not thank for feedback');
  }
}
