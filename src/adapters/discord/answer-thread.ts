import { ChannelType, Routes, ThreadAutoArchiveDuration, type ChatInputCommandInteraction, type Message } from 'discord.js';
import type { Logger } from '../../logging/logger.js';
import type { MessageSurface } from './message-series.js';
import { createOptions, editOptions } from './outgoing.js';
import { threadNameFrom } from './sanitize.js';

/** A channel messages can be sent to and fetched from (a thread, here). */
interface ThreadLike {
  id: string;
  send(options: ReturnType<typeof createOptions>): Promise<Message>;
}

/**
 * The series of an `/ask` answer: message 0 is the interaction's reply; once it exists a thread is opened on
 * it, and every later message of the answer goes into that thread as a bot message. Interaction follow-ups
 * cannot do that: they always land in the channel the command ran in (the follow-up endpoint ignores
 * `thread_id`), so a long answer's second half would appear in the channel, below other people's messages,
 * while its first half heads the thread. Where no thread can be opened (the command ran inside a thread
 * already, a channel without threads, no permission) the answer continues as follow-ups, as before.
 */
export class AnswerThread {
  private opening: Promise<ThreadLike | null> | undefined;
  private readonly inThread = new Map<string, Message>();

  constructor(
    private readonly interaction: ChatInputCommandInteraction,
    private readonly reply: MessageSurface,
    private readonly question: string,
    private readonly logger: Logger,
  ) {}

  /** Resolves when the thread is open (or known not to open); the id of the thread, if any. */
  async ready(): Promise<string | undefined> {
    return (await this.opening)?.id;
  }

  readonly surface: MessageSurface = {
    edit: async (index, id, m) => {
      const own = id ? this.inThread.get(id) : undefined;
      if (own) {
        const edited = await own.edit(editOptions(m));
        this.inThread.set(edited.id, edited);
        return edited.id;
      }
      const edited = await this.reply.edit(index, id, m);
      // The first edit makes the reply a real message: the thread can start on it now.
      if (index === 0 && !this.opening) this.opening = this.open(edited);
      return edited;
    },
    append: async (m) => {
      const thread = await this.opening;
      if (!thread) return this.reply.append(m);
      const msg = await thread.send(createOptions(m));
      this.inThread.set(msg.id, msg);
      return msg.id;
    },
    remove: async (id) => {
      const own = this.inThread.get(id);
      if (!own) return this.reply.remove(id);
      await own.delete();
      this.inThread.delete(id);
    },
  };

  /** Opens the thread on the reply; null (logged) where there is none to open. Never rejects. */
  private async open(messageId: string): Promise<ThreadLike | null> {
    const i = this.interaction;
    const channel = i.channel;
    if (channel?.isThread()) return null;
    const name = threadNameFrom(this.question);
    try {
      if (channel && (channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement)) {
        return await channel.threads.create({ name, startMessage: messageId, autoArchiveDuration: ThreadAutoArchiveDuration.OneDay });
      }
      if (!channel) {
        // The channel is not cached (a permissions edge case): the REST call needs only the ids.
        const raw = (await i.client.rest.post(Routes.threads(i.channelId, messageId), { body: { name, auto_archive_duration: ThreadAutoArchiveDuration.OneDay } })) as { id: string };
        const thread = await i.client.channels.fetch(raw.id);
        return thread?.isThread() ? thread : null;
      }
    } catch (err) {
      this.logger.warn({ err }, 'could not open a thread on the answer; it continues in the channel');
    }
    return null;
  }
}
