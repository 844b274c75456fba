import { escapeMarkdown, type MessageMentionOptions } from 'discord.js';
import { defuseLinks, discordSafeMarkdown } from '../shared/untrusted-text.js';

/**
 * Text safety for everything Docent sends to Discord. `allowed_mentions: { parse: [] }` on every request is
 * what actually prevents pings; these helpers are the second layer, so that text echoed back from users or
 * documents neither looks like a mention nor breaks the message layout.
 */

/**
 * Sent with every message and edit (and set as the client default): nothing in a Docent message can ping
 * anyone, however the text got there (a document, a model, a user's question).
 */
export function noMentions(): MessageMentionOptions {
  // A fresh object each time: payload objects are handed to discord.js, which must not share state.
  return { parse: [], repliedUser: false };
}

const ZERO_WIDTH_SPACE = '\u200b';

/**
 * Breaks `@everyone` / `@here` with a zero-width space so they render as plain words even if a client or a
 * future code path ignored `allowed_mentions`. Used on answer text, where everything else must stay verbatim.
 */
export function defuseMassMentions(text: string): string {
  return text.replace(/@(everyone|here)\b/g, `@${ZERO_WIDTH_SPACE}$1`);
}

/**
 * Untrusted Markdown for a message body — answer text (model output, the not-found reply naming the closest
 * records, notes) and command replies naming sources: formatting kept, no link (the source list under an
 * answer carries the only ones), no mass mention.
 */
export function safeMarkdown(text: string): string {
  return defuseMassMentions(discordSafeMarkdown(text));
}

/**
 * For user or document text echoed back (thread names, titles): removes user, role and channel mention
 * syntax and the @everyone/@here words, and collapses whitespace.
 */
export function stripMentions(text: string): string {
  return text
    .replace(/<@[!&]?\d+>/g, '')
    .replace(/<#\d+>/g, '')
    .replace(/@(everyone|here)\b/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A thread name from the question: one line, no mention syntax, at most 100 characters (Discord's limit),
 * cut at a word with an ellipsis when longer. Thread names are not Markdown, so nothing is escaped, but links
 * are defused like everywhere else a question is echoed (a client or a future surface may linkify them).
 */
export function threadNameFrom(question: string, max = 100): string {
  const plain = defuseLinks(stripMentions(question)) || 'Question';
  if (plain.length <= max) return plain;
  const cut = plain.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * A document title or user text inside our own Markdown (source list, headers): escaped so `*`, `_`, `|`,
 * backticks, brackets and `<` cannot restyle the line, break the `[title](<url>)` link around it or form a link
 * of their own, and with URLs defanged (a bare URL would be linked; Discord also refuses a masked link whose
 * label holds one, showing the raw Markdown instead). See shared/untrusted-text.ts.
 */
export function escapeInline(text: string): string {
  return defuseLinks(escapeMarkdown(stripMentions(text)).replace(/[[\]<]/g, (c) => `\\${c}`));
}

/**
 * Removes the bot's own mention (`<@id>` / `<@!id>`) — and, when given, a mention of its managed role
 * (`<@&roleId>`, what Discord's autocomplete inserts when a user picks the bot's role instead of the bot) — from
 * a message before it becomes a question.
 */
export function stripBotMention(text: string, botId: string, botRoleId?: string): string {
  const role = botRoleId ? `|<@&${botRoleId}>` : '';
  return text.replace(new RegExp(`<@!?${botId}>${role}`, 'g'), ' ').replace(/[ \t]{2,}/g, ' ').trim();
}
