import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIComponentInMessageActionRow, type ButtonInteraction } from 'discord.js';
import type { AnsweringService } from '../../../commands/services.js';
import type { Logger } from '../../logging/logger.js';
import { replyOptions } from './outgoing.js';
import { feedbackReply } from '../shared/feedback-reply.js';

/**
 * 👍/👎 under every answer. The custom id carries the answer id, so a click needs no state in this process:
 * it still counts after a restart, for answers given by an earlier run.
 */

const PREFIX = 'docent:fb';
/** How long a click may wait for the feedback store before we thank the user anyway (Discord allows 3 s). */
const REPLY_BUDGET_MS = 2000;

/** The button row for an answer. Custom ids are ≤ 100 characters, so very long answer ids are refused. */
export function feedbackButtons(answerId: string): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const id = (vote: 'up' | 'down') => `${PREFIX}:${vote}:${answerId}`;
  if (id('down').length > 100) return [];
  return [{
    type: ComponentType.ActionRow,
    components: [
      { type: ComponentType.Button, style: ButtonStyle.Secondary, custom_id: id('up'), emoji: { name: '👍' }, label: 'Helpful' },
      { type: ComponentType.Button, style: ButtonStyle.Secondary, custom_id: id('down'), emoji: { name: '👎' }, label: 'Not helpful' },
    ],
  }];
}

/** `{answerId, vote}` for one of our feedback buttons, else null. */
export function parseFeedbackId(customId: string): { answerId: string; vote: 'up' | 'down' } | null {
  const m = /^docent:fb:(up|down):(.+)$/.exec(customId);
  return m ? { vote: m[1] as 'up' | 'down', answerId: m[2]! } : null;
}

/**
 * Records the vote, then thanks the clicker privately. If the store is slow we thank first (the interaction
 * must be answered within 3 s) and keep waiting for the store in the background of this handler.
 */
export async function handleFeedbackClick(interaction: ButtonInteraction, services: Pick<AnsweringService, 'recordFeedback'>, logger: Logger): Promise<void> {
  const parsed = parseFeedbackId(interaction.customId);
  if (!parsed) return;
  const recorded = services
    .recordFeedback({ ...parsed, userId: interaction.user.id, platform: 'discord' })
    .then((outcome) => outcome, (err: unknown) => {
      logger.error({ err, answerId: parsed.answerId }, 'could not record feedback');
      return 'failed' as const;
    });
  const inTime = await Promise.race([recorded, new Promise<'late'>((r) => setTimeout(() => r('late'), REPLY_BUDGET_MS).unref())]);
  // Past the reply budget the store is still working: thank now (the usual outcome); a failure is logged.
  await interaction.reply(replyOptions({ content: feedbackReply(inTime === 'late' ? 'recorded' : inTime) }, true));
  await recorded;
  logger.info({ answerId: parsed.answerId, vote: parsed.vote, userId: interaction.user.id }, 'feedback');
}
