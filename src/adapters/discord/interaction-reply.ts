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
 *
 * A second wrinkle: while a deferred reply is still "thinking…", Discord takes the first follow-up as the
 * resolution of that loading state — it edits the deferred message and ignores the follow-up's `flags`
 * (https://github.com/discord/discord-api-docs/issues/2742, "we interpret your followup as you resolving
 * the loading state"; the Create Followup Message docs say the same). So a private refusal sent as the first
 * follow-up of a public deferral would go public. Every path here resolves the loading state with an edit of
 * the original before its first follow-up.
 */
export class InteractionReply {
  private ack: { ephemeral: boolean } | null = null;
  /** True from a deferral until the original reply is first edited (Discord's loading state). */
  private loading = false;
  /** The message the reply's series starts with: '@original', or a follow-up after a visibility change. */
  private firstId: string | undefined;
  /** The deferred original's message id, from the deferral's callback response (no extra request). */
  private deferredId: string | undefined;

  constructor(readonly interaction: ChatInputCommandInteraction) {}

  get acknowledged(): boolean {
    return this.ack !== null;
  }

  /**
   * Acknowledges with "thinking…" (interaction callback type 5). Must happen within 3 s of the event. Asks for
   * the callback response (`with_response`), which names the original's message id: a reply that outlives its
   * token is edited by bot token under that id, without a lookup through the token.
   */
  async defer(ephemeral: boolean): Promise<void> {
    if (this.ack) return;
    this.ack = { ephemeral };
    this.loading = true;
    const response = await this.interaction.deferReply({ ...(ephemeral ? { flags: ['Ephemeral'] as const } : {}), withResponse: true });
    this.deferredId = response.interaction.responseMessageId ?? undefined;
  }

  /** The message id of the reply's first message, when known without asking Discord. */
  get originalMessageId(): string | undefined {
    return this.firstId ?? this.deferredId;
  }

  /** A finished Markdown reply, split over follow-ups when longer than one message. */
  async sendText(markdown: string, ephemeral: boolean): Promise<void> {
    const [first, ...rest] = splitMessage(safeMarkdown(markdown)).map((content): OutgoingMessage => ({ content }));
    if (!this.ack) {
      this.ack = { ephemeral };
      await this.interaction.reply(replyOptions(first!, ephemeral));
    } else if (this.ack.ephemeral === ephemeral) {
      await this.editOriginal(editOptions(first!));
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
    if (initial !== undefined && this.firstId === undefined) await this.editOriginal(editOptions({ content: initial }));
    return this.surface(ephemeral);
  }

  /** The reply's series: message 0 is the original reply (or its stand-in), later ones are follow-ups. */
  surface(ephemeral: boolean): MessageSurface {
    const i = this.interaction;
    return {
      edit: async (index, id, m) => {
        const target = id ?? (index === 0 ? this.firstId : undefined);
        const msg: Message = target ? await i.editReply(editOptions(m, target)) : await this.editOriginal(editOptions(m));
        return msg.id;
      },
      append: async (m) => {
        // A series edits message 0 first, so this only guards a caller that appends straight away.
        await this.resolveLoading();
        return (await i.followUp(replyOptions(m, ephemeral))).id;
      },
      remove: async (id) => i.deleteReply(id),
    };
  }

  /** Edits the original reply (which ends Discord's loading state). */
  private async editOriginal(options: ReturnType<typeof editOptions>): Promise<Message> {
    const msg = await this.interaction.editReply(options);
    this.loading = false;
    return msg;
  }

  /**
   * Ends a deferral's loading state before a follow-up, so the follow-up is a message of its own with its own
   * flags. The stand-in is neutral (it is about to be deleted, or replaced by the reply).
   */
  private async resolveLoading(): Promise<void> {
    if (this.loading) await this.editOriginal(editOptions({ content: '…' }));
  }

  private async switchVisibility(first: OutgoingMessage, ephemeral: boolean): Promise<void> {
    // Resolve first: deleting a message still "thinking…" does not end the loading state everywhere, and a
    // follow-up that resolves it would take the deferral's visibility instead of ours.
    await this.resolveLoading().catch(() => undefined);
    await this.interaction.deleteReply().catch(() => undefined);
    const msg = await this.interaction.followUp(replyOptions(first, ephemeral));
    this.firstId = msg.id;
    this.ack = { ephemeral };
  }
}
