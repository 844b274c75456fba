import type {
  APIActionRowComponent, APIComponentInMessageActionRow, InteractionEditReplyOptions, InteractionReplyOptions,
  MessageCreateOptions,
} from 'discord.js';
import { noMentions } from './sanitize.js';

/**
 * What Docent puts in one Discord message, before it becomes a discord.js payload. Keeping our own small
 * shape lets the streaming code treat an interaction reply, a follow-up and a thread message alike.
 *
 * Every payload built here names `allowedMentions` explicitly (the client default says the same, but an
 * explicit value survives a change of default or a code path that forgets it) and sets SuppressEmbeds,
 * because answers and source lists carry links whose previews would bury the text.
 */
export interface OutgoingMessage {
  content: string;
  /** Button rows (feedback); omitted means "no buttons", and an edit clears any that were there. */
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
}

/** For `channel.send` / `thread.send`. */
export function createOptions(m: OutgoingMessage): MessageCreateOptions {
  return { content: m.content, components: m.components ?? [], allowedMentions: noMentions(), flags: ['SuppressEmbeds'] };
}

/** For `interaction.reply` / `followUp`; ephemeral messages are seen by the invoker only. */
export function replyOptions(m: OutgoingMessage, ephemeral = false): InteractionReplyOptions {
  return {
    content: m.content,
    components: m.components ?? [],
    allowedMentions: noMentions(),
    flags: ephemeral ? ['SuppressEmbeds', 'Ephemeral'] : ['SuppressEmbeds'],
  };
}

/** For `interaction.editReply` and `message.edit` (Discord lets an edit set only SuppressEmbeds). */
export function editOptions(m: OutgoingMessage, messageId?: string): InteractionEditReplyOptions {
  return {
    content: m.content,
    components: m.components ?? [],
    allowedMentions: noMentions(),
    flags: ['SuppressEmbeds'],
    ...(messageId ? { message: messageId } : {}),
  };
}

/** A stable comparison key: an edit is skipped when the message would not change. */
export function messageKey(m: OutgoingMessage): string {
  return JSON.stringify([m.content, m.components ?? []]);
}
