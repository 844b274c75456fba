import { PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import type { DocentServices } from '../../../commands/services.js';
import type { Invoker } from '../../../commands/invoker.js';
import type { CommandDefinition, CommandReply } from '../../../commands/types.js';
import { DocentError } from '../../core/errors.js';
import type { Logger } from '../../logging/logger.js';
import { politeError } from '../shared/polite-error.js';
import { handoffSurface } from './handoff-surface.js';
import { AnswerThread } from './answer-thread.js';
import { InteractionReply } from './interaction-reply.js';
import { MessageSeries, type MessageSurface } from './message-series.js';
import { runProgress } from './progress.js';
import { streamAnswer } from './stream-answer.js';
import type { AnswerMemory } from './thread-history.js';
import { TokenClock } from './token-clock.js';

/**
 * Runs one slash command: acknowledge in time, check access, run the platform-neutral definition and render
 * its reply (a streamed answer, a Markdown text, or progress edited in place).
 */
export interface CommandHandlerDeps {
  services: DocentServices;
  commands: Map<string, CommandDefinition>;
  logger: Logger;
  editIntervalMs: number;
  memory: AnswerMemory;
  /** When a long reply stops using the interaction token (default: 14 of its 15 minutes; tests scale it down). */
  tokenHandoffMs?: number;
}

/**
 * Commands whose reply is a public streamed answer: they are deferred before anything else, because the
 * answer's first words can be many seconds away and Discord drops an interaction not acknowledged in 3 s.
 */
const DEFER_FIRST = new Set(['ask']);
/** Other commands get this long to produce their reply before we defer (their visibility is unknown until then). */
const REPLY_BUDGET_MS = 2000;

/**
 * Handles one slash command end to end. Never throws: failures are logged and shown as one polite sentence.
 * Streamed commands are acknowledged synchronously, before the first await of this function.
 */
export async function handleCommand(interaction: ChatInputCommandInteraction, deps: CommandHandlerDeps): Promise<void> {
  const reply = new InteractionReply(interaction);
  // Not awaited yet: the acknowledgement must leave before any other await of ours.
  const deferral = DEFER_FIRST.has(interaction.commandName) ? reply.defer(false) : null;
  const log = deps.logger.child({ command: interaction.commandName, interactionId: interaction.id });
  const def = deps.commands.get(interaction.commandName);
  // The token's age counts from the interaction's creation (its snowflake), not from our handling of it.
  const clock = new TokenClock(interaction.createdTimestamp, deps.tokenHandoffMs);
  try {
    await deferral;
    if (!def) {
      // A stale registration (commands deployed from another version): say so rather than time out.
      await reply.sendText(`Sorry, /${interaction.commandName} is not available in this version of Docent.`, true);
      return;
    }
    const invoker = invokerOf(interaction);
    const args = Object.fromEntries(interaction.options.data.map((o) => [o.name, o.value as string | number | boolean | undefined]));
    // An answer still queued at the handoff is refused then, while the token can show the refusal (and resolve
    // the "thinking…" state, which is an interaction-token-only state); one that started goes on by bot token.
    const result = await withinBudget(def.run({ args, invoker, services: deps.services, queueWaitMs: Math.max(1, clock.remainingMs) }), () =>
      // Informational replies (status, sources, help) are private, so that is the guess; a reply that turns
      // out public is moved to a public follow-up (see InteractionReply).
      reply.defer(true),
    );
    // The access policy (commands/access-policy.ts) refused: the reply says so; the log keeps who tried.
    if (result.type === 'text' && result.refused) log.warn({ userId: invoker.userId, roleIds: invoker.roleIds, command: def.name }, 'admin command refused');
    await render(result, reply, interaction, clock, deps, log);
  } catch (err) {
    log.error({ err }, 'command failed');
    const message = err instanceof DocentError ? politeError(err) : 'Sorry — something went wrong while running that command. Please try again.';
    await reply.sendText(message, true).catch((e: unknown) => log.warn({ err: e }, 'could not report the failure'));
  }
}

async function render(
  result: CommandReply, reply: InteractionReply, interaction: ChatInputCommandInteraction, clock: TokenClock, deps: CommandHandlerDeps, log: Logger,
): Promise<void> {
  if (result.type === 'text') return reply.sendText(result.markdown, result.ephemeral);
  // A reindex, or an answer whose queue wait plus generation is long, can outlast the interaction token
  // (15 minutes): past the handoff its edits go on by bot token in the channel instead of 401-ing forever.
  const handoff = (interactionSurface: MessageSurface, ephemeral: boolean) => handoffSurface({
    interaction: interactionSurface, clock, rest: interaction.client.rest, channelId: interaction.channelId, ephemeral, logger: log,
    originalId: async () => reply.originalMessageId ?? (await interaction.fetchReply()).id,
  });
  if (result.type === 'progress') {
    const surface = handoff(await reply.start(result.ephemeral, result.initial), result.ephemeral);
    await runProgress({ surface, initial: result.initial, run: result.run, editIntervalMs: deps.editIntervalMs, logger: log });
    return;
  }
  const reply0 = handoff(await reply.start(false), false);
  // The thread opens on the reply once it shows text; the rest of a long answer continues inside it (by bot
  // token already, so only the reply itself and follow-ups without a thread need the handoff).
  const thread = new AnswerThread(interaction, reply0, result.question.text, log);
  const series = new MessageSeries(thread.surface);
  const streamed = await streamAnswer({
    parts: result.parts,
    series,
    answerId: result.answerId,
    editIntervalMs: deps.editIntervalMs,
    logger: log,
    // The app's permissions in the channel (interaction `app_permissions`): without Embed Links the cards go into the text.
    embeds: interaction.appPermissions.has(PermissionFlagsBits.EmbedLinks),
  });
  const threadId = await thread.ready();
  const first = series.ids[0];
  if (first && streamed.outcome === 'finished') deps.memory.remember(first, result.question.text, streamed.text);
  log.info({ answerId: result.answerId, outcome: streamed.outcome, edits: streamed.edits, messages: series.ids.length, threadId }, 'answered');
}

/** Who ran it, with role ids for the admin allow-list and the channel that scopes sources (a thread's parent). */
export function invokerOf(interaction: ChatInputCommandInteraction): Invoker {
  const member = interaction.member;
  const roleIds = !member ? [] : Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  const channel = interaction.channel;
  const channelId = channel?.isThread() ? (channel.parentId ?? interaction.channelId) : interaction.channelId;
  return { platform: 'discord', userId: interaction.user.id, roleIds, displayName: interaction.user.username, channelId };
}

/** Awaits `work`; if it takes longer than the budget, runs `onSlow` (a deferral) meanwhile. */
async function withinBudget<T>(work: Promise<T>, onSlow: () => Promise<void>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let slow: Promise<void> | undefined;
  const budget = new Promise<'slow'>((r) => (timer = setTimeout(() => r('slow'), REPLY_BUDGET_MS)));
  try {
    const first = await Promise.race([work, budget]);
    if (first !== 'slow') return first;
    slow = onSlow();
    const [result] = await Promise.all([work, slow]);
    return result;
  } finally {
    clearTimeout(timer);
  }
}
