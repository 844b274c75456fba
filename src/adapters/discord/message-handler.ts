import { ChannelType, PermissionFlagsBits, ThreadAutoArchiveDuration, type Message, type ThreadChannel } from 'discord.js';
import type { AccessPolicy, AnsweringService } from '../../../commands/services.js';
import type { Turn } from '../../core/answer/types.js';
import type { Logger } from '../../logging/logger.js';
import { MessageSeries, type MessageSurface } from './message-series.js';
import { createOptions, editOptions } from './outgoing.js';
import { stripBotMention, threadNameFrom } from './sanitize.js';
import { streamAnswer } from './stream-answer.js';
import { threadHistory, type AnswerMemory } from './thread-history.js';

/**
 * Conversation outside slash commands:
 * - a message that mentions Docent in a channel opens a thread on that message and is answered inside it;
 * - in a thread Docent started (it owns it), every message is a follow-up; in any other thread, a mention is;
 * - follow-ups carry the thread's recent messages as history, so "and in winter?" makes sense.
 * Bots (Docent included) are never answered, so two bots cannot talk each other into a loop.
 */
export interface MessageHandlerDeps {
  services: AnsweringService & Pick<AccessPolicy, 'scopeFor'>;
  logger: Logger;
  editIntervalMs: number;
  historyMessages: number;
  memory: AnswerMemory;
}

/** Shown until the first words of the answer arrive (Discord has no "thinking…" state outside interactions). */
export const PLACEHOLDER = '🔎 Looking through the catalog…';
const EMPTY_QUESTION = 'Ask me a question about the catalog, e.g. “where are the trail maps?”, and I will answer with sources.';

/** Answers `message` if it is addressed to Docent (see above); ignores it otherwise. */
export async function handleMessage(message: Message, deps: MessageHandlerDeps): Promise<void> {
  const botId = message.client.user.id;
  if (message.author.bot || message.author.id === botId || message.system || !message.inGuild()) return;
  // A mention of the bot's managed (integration) role reads the same to users as a mention of the bot: Discord
  // offers both in the @ autocomplete, and the role one arrives in `mention_roles`, not in `mentions`.
  const botRoleId = message.guild.roles.botRoleFor(botId)?.id;
  const mentioned = message.mentions.users.has(botId) || (botRoleId !== undefined && message.mentions.roles.has(botRoleId));
  const channel = message.channel;
  const inThread = channel.isThread();
  if (!(inThread ? channel.ownerId === botId || mentioned : mentioned)) return;

  const log = deps.logger.child({ channelId: message.channelId, messageId: message.id });
  const text = stripBotMention(message.content, botId, botRoleId);
  const scopeChannel = inThread ? (channel.parentId ?? channel.id) : channel.id;

  if (!text) {
    // A bare mention gets a hint; a textless message in our thread (an image, a sticker) gets nothing.
    if (mentioned) await message.reply(createOptions({ content: EMPTY_QUESTION }));
    return;
  }

  let thread: ThreadChannel | null = inThread ? channel : null;
  if (!thread && (channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement)) {
    thread = await message
      .startThread({ name: threadNameFrom(text), autoArchiveDuration: ThreadAutoArchiveDuration.OneDay })
      .catch((err: unknown) => {
        // No permission to create threads here: answer as a reply in the channel instead of not at all.
        log.warn({ err }, 'could not open a thread; replying in the channel');
        return null;
      });
  }

  // The placeholder goes out while history is read; `before` keeps it (and later messages) out of the history.
  const [placeholder, history] = await Promise.all([
    thread ? thread.send(createOptions({ content: PLACEHOLDER })) : message.reply(createOptions({ content: PLACEHOLDER })),
    inThread && thread
      ? threadHistory({ thread, before: message.id, botId, limit: deps.historyMessages, memory: deps.memory }).catch((err: unknown): Turn[] => {
          log.warn({ err }, 'could not read the thread history; answering without it');
          return [];
        })
      : Promise.resolve<Turn[]>([]),
  ]);

  const sources = deps.services.scopeFor(scopeChannel);
  const { answerId, parts } = deps.services.ask({ text, history, askerId: message.author.id, ...(sources ? { sources } : {}) });
  const series = new MessageSeries(channelSurface(placeholder), { id: placeholder.id, content: PLACEHOLDER });
  // Discord drops a bot's embeds where it lacks Embed Links: the cards then go into the text.
  const where = thread ?? channel;
  const embeds = where.permissionsFor(message.client.user)?.has(PermissionFlagsBits.EmbedLinks) ?? true;
  const streamed = await streamAnswer({ parts, series, answerId, editIntervalMs: deps.editIntervalMs, logger: log, embeds });
  log.info({ answerId, outcome: streamed.outcome, edits: streamed.edits, historyTurns: history.length, threadId: thread?.id }, 'answered');
}

/** A series that starts at `first` and continues in the same channel or thread. */
function channelSurface(first: Message): MessageSurface {
  const sent = new Map<string, Message>([[first.id, first]]);
  return {
    edit: async (_index, id, m) => {
      const target = sent.get(id ?? first.id) ?? first;
      const edited = await target.edit(editOptions(m));
      sent.set(edited.id, edited);
      return edited.id;
    },
    append: async (m) => {
      const channel = first.channel;
      if (!channel.isSendable()) throw new Error(`cannot send to channel ${channel.id}`);
      const msg = await channel.send(createOptions(m));
      sent.set(msg.id, msg);
      return msg.id;
    },
    remove: async (id) => {
      await sent.get(id)?.delete();
      sent.delete(id);
    },
  };
}
