import { messageKey, type OutgoingMessage } from './outgoing.js';

/**
 * Where a series of messages lives: an interaction's reply and its follow-ups, or messages in a thread.
 * Implementations pass every payload through `createOptions`/`replyOptions`/`editOptions` (no mentions; no link
 * previews, except that a message carrying our own embeds cannot suppress them).
 */
export interface MessageSurface {
  /** Edits message `index`; `id` is undefined only for an interaction's original reply. Returns the message id. */
  edit(index: number, id: string | undefined, message: OutgoingMessage): Promise<string>;
  /** Posts a new message after the others; returns its id. */
  append(message: OutgoingMessage): Promise<string>;
  /** Deletes a message the text no longer needs. */
  remove(id: string): Promise<void>;
}

/**
 * An answer spread over as many messages as its length needs. The first message already exists (a deferred
 * reply or a placeholder); `show` brings the series to a new list of messages with the fewest requests —
 * unchanged messages are not edited — one request at a time, in order.
 */
export class MessageSeries {
  private readonly shown: Array<{ id: string | undefined; key: string }>;

  constructor(private readonly surface: MessageSurface, first: { id?: string; content?: string } = {}) {
    this.shown = [{ id: first.id, key: first.content === undefined ? '' : messageKey({ content: first.content }) }];
  }

  /** Ids of the messages in the series, in order (undefined while the original reply's id is unknown). */
  get ids(): Array<string | undefined> {
    return this.shown.map((s) => s.id);
  }

  async show(messages: OutgoingMessage[]): Promise<void> {
    for (const [i, m] of messages.entries()) {
      const key = messageKey(m);
      const current = this.shown[i];
      if (current === undefined) {
        this.shown.push({ id: await this.surface.append(m), key });
      } else if (current.key !== key) {
        current.id = await this.surface.edit(i, current.id, m);
        current.key = key;
      }
    }
    // The final text can need fewer messages than a streaming state did (a link that closed moved a cut).
    while (this.shown.length > Math.max(1, messages.length)) {
      const extra = this.shown.pop();
      if (extra?.id) await this.surface.remove(extra.id);
    }
  }
}
