import type {
  APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed, InteractionEditReplyOptions, InteractionReplyOptions,
  MessageCreateOptions,
} from 'discord.js';
import { noMentions } from './sanitize.js';

/**
 * What Docent puts in one Discord message, before it becomes a discord.js payload. Keeping our own small
 * shape lets the streaming code treat an interaction reply, a follow-up and a thread message alike.
 *
 * Every payload built here names `allowedMentions` explicitly (the client default says the same, but an
 * explicit value survives a change of default or a code path that forgets it) and sets SuppressEmbeds,
 * because answers and source lists carry links whose previews would bury the text — except on a message that
 * carries our own embeds (dataset cards): SuppressEmbeds hides every embed of a message, rich ones included
 * ("do not include any embeds when serializing this message", message flags,
 * https://discord.com/developers/docs/resources/message#message-object-message-flags). Such a message has no
 * link that could grow a preview: every URL in Docent's text is defanged or wrapped in `<…>`, which is
 * Discord's own "no preview" syntax.
 */
export interface OutgoingMessage {
  content: string;
  /** Button rows (feedback); omitted means "no buttons", and an edit clears any that were there. */
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  /** Rich embeds (dataset cards, within Discord's limits: see dataset-embeds.ts); omitted means none, and an edit clears any. */
  embeds?: APIEmbed[];
}

/** SuppressEmbeds, unless the message carries embeds of its own. */
function previewFlags(m: OutgoingMessage): Array<'SuppressEmbeds'> {
  return m.embeds?.length ? [] : ['SuppressEmbeds'];
}

/** For `channel.send` / `thread.send`. */
export function createOptions(m: OutgoingMessage): MessageCreateOptions {
  return { content: m.content, embeds: m.embeds ?? [], components: m.components ?? [], allowedMentions: noMentions(), flags: previewFlags(m) };
}

/** For `interaction.reply` / `followUp`; ephemeral messages are seen by the invoker only. */
export function replyOptions(m: OutgoingMessage, ephemeral = false): InteractionReplyOptions {
  return {
    content: m.content,
    embeds: m.embeds ?? [],
    components: m.components ?? [],
    allowedMentions: noMentions(),
    flags: ephemeral ? [...previewFlags(m), 'Ephemeral'] : previewFlags(m),
  };
}

/**
 * For `interaction.editReply` and `message.edit` (Discord lets an edit set or clear only SuppressEmbeds: the
 * final edit that adds the card embeds clears it, an empty `flags` being sent as 0).
 */
export function editOptions(m: OutgoingMessage, messageId?: string): InteractionEditReplyOptions {
  return {
    content: m.content,
    embeds: m.embeds ?? [],
    components: m.components ?? [],
    allowedMentions: noMentions(),
    flags: previewFlags(m),
    ...(messageId ? { message: messageId } : {}),
  };
}

/** A stable comparison key: an edit is skipped when the message would not change. */
export function messageKey(m: OutgoingMessage): string {
  return JSON.stringify([m.content, m.components ?? [], m.embeds ?? []]);
}
