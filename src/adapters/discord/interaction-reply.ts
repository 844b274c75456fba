import type { ChatInputCommandInteraction, Message } from 'discord.js';
import type { MessageSurface } from './message-series.js';
import { editOptions, replyOptions, type OutgoingMessage } from './outgoing.js';
import { safeMarkdown } from './sanitize.js';
import { splitMessage } from '../shared/split-message.js';

/**
 * The response side of one slash-command interaction: whether it was acknowledged (and how), and the
 * operations the reply types need. It hides one Discord wrinkle: a deferral fixes whether the reply is
 * ephemeral, so when a command's reply turns out to want the other visibility, the deferred "thinking…"
 * message is deleted and the reply goes out as follow-ups with the right flags.
 */
export class InteractionReply {
  private ack: { ephemeral: boolean } | null = null;
  /** The message the reply's series starts with: '@original', or a follow-up after a visibility change. */
  private firstId: string | undefined;

  constructor(readonly interaction: ChatInputCommandInteraction) {}

  get acknowledged(): boolean {
    return this.ack !== null;
  }

  /** Acknowledges with "thinking…" (interaction callback type 5). Must happen within 3 s of the event. */
  async defer(ephemeral: boolean): Promise<void> {
    if (this.ack) return;
    this.ack = { ephemeral };
    await this.interaction.deferReply(ephemeral ? { flags: ['Ephemeral'] } : {});
  }

  /** A finished Markdown reply, split over follow-ups when longer than one message. */
  async sendText(markdown: string, ephemeral: boolean): Promise<void> {
    const [first, ...rest] = splitMessage(safeMarkdown(markdown)).map((content): OutgoingMessage => ({ content }));
    if (!this.ack) {
      this.ack = { ephemeral };
      await this.interaction.reply(replyOptions(first!, ephemeral));
    } else if (this.ack.ephemeral === ephemeral) {
      await this.interaction.editReply(editOptions(first!));
    } else {
      await this.switchVisibility(first!, ephemeral);
    }
    for (const m of rest) await this.interaction.followUp(replyOptions(m, ephemeral));
  }

  /**
   * Prepares the first message of a streamed reply (answer, progress) with the given visibility and initial
   * text, and returns the surface that series edits and extends.
   */
  async start(ephemeral: boolean, initial?: string): Promise<MessageSurface> {
    if (!this.ack) await this.defer(ephemeral);
    else if (this.ack.ephemeral !== ephemeral) await this.switchVisibility({ content: initial ?? '…' }, ephemeral);
    if (initial !== undefined && this.firstId === undefined) await this.interaction.editReply(editOptions({ content: initial }));
    return this.surface(ephemeral);
  }

  /** The reply's series: message 0 is the original reply (or its stand-in), later ones are follow-ups. */
  surface(ephemeral: boolean): MessageSurface {
    const i = this.interaction;
    return {
      edit: async (index, id, m) => {
        const target = id ?? (index === 0 ? this.firstId : undefined);
        const msg: Message = await i.editReply(editOptions(m, target));
        return msg.id;
      },
      append: async (m) => (await i.followUp(replyOptions(m, ephemeral))).id,
      remove: async (id) => i.deleteReply(id),
    };
  }

  private async switchVisibility(first: OutgoingMessage, ephemeral: boolean): Promise<void> {
    await this.interaction.deleteReply().catch(() => undefined);
    const msg = await this.interaction.followUp(replyOptions(first, ephemeral));
    this.firstId = msg.id;
    this.ack = { ephemeral };
  }
}
