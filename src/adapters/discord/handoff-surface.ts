import { MessageFlags, RESTJSONErrorCodes, Routes, DiscordAPIError, type REST } from 'discord.js';
import type { Logger } from '../../logging/logger.js';
import type { MessageSurface } from './message-series.js';
import type { OutgoingMessage } from './outgoing.js';
import type { TokenClock } from './token-clock.js';

/**
 * A reply surface that outlives its interaction token. Until the token clock says stop (about 14 minutes, or
 * Discord's first 50027), every call goes through the interaction surface as before. After that it goes by bot
 * token: a public interaction response is an ordinary bot message in its channel, so it is edited with
 * `PATCH /channels/{channel}/messages/{id}` (discord/discord-api-docs#3090); when that message is unknown (never
 * learnt, or deleted), a new channel message takes its place, and later messages are posted in the channel.
 * Not one more request is made with the dead token.
 *
 * Ephemeral replies exist only for the interaction token (the channel routes answer Unknown Message), so after
 * the handoff their updates are dropped with one warning: the invoker keeps the last state they saw.
 */
export interface HandoffSurfaceOptions {
  /** The surface that speaks through the interaction token (e.g. `InteractionReply.surface()`). */
  interaction: MessageSurface;
  clock: TokenClock;
  /** The bot-token REST client (`interaction.client.rest`). */
  rest: REST;
  /** The channel (or thread) the interaction's response is in. */
  channelId: string;
  /** Where messages added after the handoff go (e.g. the thread the answer opened); default `channelId`. */
  appendChannelId?: () => string | undefined;
  ephemeral: boolean;
  /**
   * Looks up the original response's message id (e.g. `interaction.fetchReply()`); asked only when the first
   * message must be edited by bot token before any interaction edit has told us its id.
   */
  originalId?: () => Promise<string | undefined>;
  logger: Logger;
}

/** Raw API body for a bot-token create or edit: the same rules as outgoing.ts (no pings; no link previews unless embeds). */
function channelBody(m: OutgoingMessage): Record<string, unknown> {
  return {
    content: m.content, embeds: m.embeds ?? [], components: m.components ?? [], allowed_mentions: { parse: [] },
    flags: m.embeds?.length ? 0 : MessageFlags.SuppressEmbeds,
  };
}

const isUnknownMessage = (err: unknown) => err instanceof DiscordAPIError && err.code === RESTJSONErrorCodes.UnknownMessage;

export function handoffSurface(o: HandoffSurfaceOptions): MessageSurface & { readonly handedOff: boolean } {
  /** Channel of each message id we know (bot-token edits need it). */
  const channelOf = new Map<string, string>();
  let firstId: string | undefined;
  let announced = false;

  const announce = (why: string): void => {
    if (announced) return;
    announced = true;
    o.logger.warn({ ageMs: o.clock.ageMs, why, ephemeral: o.ephemeral }, o.ephemeral
      ? 'interaction token expiring; an ephemeral reply cannot be updated by bot token, further updates are dropped'
      : 'interaction token expiring; continuing by bot token in the channel');
  };

  /** Runs `viaToken` while the token is usable; on its death (50027) or past the handoff, returns undefined. */
  async function tryToken<T>(viaToken: () => Promise<T>): Promise<{ value: T } | undefined> {
    if (!o.clock.usable) {
      announce('handoff time reached');
      return undefined;
    }
    try {
      return { value: await viaToken() };
    } catch (err) {
      if (!o.clock.noteFailure(err)) throw err;
      announce('Discord answered 50027 Invalid Webhook Token');
      return undefined;
    }
  }

  async function post(m: OutgoingMessage): Promise<string> {
    const channelId = o.appendChannelId?.() ?? o.channelId;
    const msg = (await o.rest.post(Routes.channelMessages(channelId), { body: channelBody(m) })) as { id: string };
    channelOf.set(msg.id, channelId);
    return msg.id;
  }

  async function botEdit(index: number, id: string | undefined, m: OutgoingMessage): Promise<string> {
    let target = id ?? (index === 0 ? firstId : undefined);
    // The lookup may go through the token (`fetchReply`): only while Discord has not declared it dead.
    if (target === undefined && index === 0 && o.originalId && !o.clock.dead) target = firstId = await o.originalId().catch(() => undefined);
    if (target === undefined) return post(m);
    try {
      await o.rest.patch(Routes.channelMessage(channelOf.get(target) ?? o.channelId, target), { body: channelBody(m) });
      return target;
    } catch (err) {
      // Deleted meanwhile, or a message the channel route cannot reach: show the state in a new message instead.
      if (!isUnknownMessage(err)) throw err;
      return post(m);
    }
  }

  return {
    get handedOff() {
      return !o.clock.usable;
    },
    async edit(index, id, m) {
      const done = await tryToken(() => o.interaction.edit(index, id, m));
      if (done) {
        if (index === 0) firstId = done.value;
        return done.value;
      }
      if (o.ephemeral) return id ?? firstId ?? '';
      return botEdit(index, id, m);
    },
    async append(m) {
      const done = await tryToken(() => o.interaction.append(m));
      if (done) return done.value;
      if (o.ephemeral) return '';
      return post(m);
    },
    async remove(id) {
      const done = await tryToken(() => o.interaction.remove(id));
      if (done || o.ephemeral || !id) return;
      await o.rest.delete(Routes.channelMessage(channelOf.get(id) ?? o.channelId, id)).catch((err: unknown) => {
        if (!isUnknownMessage(err)) throw err;
      });
    },
  };
}
