/**
 * Interaction responses: the callback (reply, deferReply, deferUpdate, update, modal) and the interaction
 * webhook (@original and follow-ups). Discord's rules the fake enforces, because adapters get them wrong:
 * the first callback must arrive within 3 s of the interaction (else 404 Unknown interaction, 10062), only
 * once (400, 40060), and the webhook answers only after it (404 Unknown Webhook / Unknown Message).
 * "Interaction tokens are valid for 15 minutes"
 * (https://discord.com/developers/docs/interactions/receiving-and-responding#followup-messages): after the
 * token's lifetime (from the interaction's creation) every webhook route answers 401 with code 50027 "Invalid
 * Webhook Token", as Discord does (e.g. Rapptz/discord.py#9856). Tests shorten the lifetime with
 * `interactionTokenLifetimeMs`.
 */
import { MessageFlag, type Wire } from './payloads.js';
import { apiError, validateMessageBody, type FakePlatform } from './platform.js';
import type { Route, RouteRequest, RouteResult } from './rest.js';
import type { InteractionRecord, StoredMessage } from './state.js';

/** Interaction callback types (https://discord.com/developers/docs/interactions/receiving-and-responding). */
export const Callback = { Pong: 1, Message: 4, DeferredMessage: 5, DeferredUpdate: 6, Update: 7, Autocomplete: 8, Modal: 9 } as const;

const unknownInteraction = () => apiError(404, 10062, 'Unknown interaction');
const unknownWebhook = () => apiError(404, 10015, 'Unknown Webhook');
const unknownMessage = () => apiError(404, 10008, 'Unknown Message');
const invalidWebhookToken = () => apiError(401, 50027, 'Invalid Webhook Token');

/** Discord's interaction token lifetime: 15 minutes. */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;

export interface InteractionRouteOptions {
  ackDeadlineMs: number;
  /** How long after the interaction's creation its token works on the webhook routes. */
  tokenLifetimeMs: number;
}

function metadata(p: FakePlatform, i: InteractionRecord): Wire {
  return {
    id: i.id,
    type: i.type,
    user: p.user(i.userId),
    authorizing_integration_owners: { '0': p.ids.guildId },
    ...(i.commandName ? { name: i.commandName, command_type: 1 } : {}),
  };
}

function messageData(body: Wire): Wire {
  const data = body['data'];
  return data && typeof data === 'object' ? (data as Wire) : {};
}

function callback(req: RouteRequest, p: FakePlatform, ackDeadlineMs: number): RouteResult {
  const i = p.state.interactions.get(req.params['id']!);
  if (!i || i.token !== req.params['token']) return unknownInteraction();
  const type = Number(req.body['type']);
  const record = { at: req.at, type, body: req.body, status: 204 };
  const reject = (r: RouteResult): RouteResult => {
    i.callbacks.push({ ...record, status: r.status });
    return r;
  };
  const sentAt = i.dispatch?.sentAt;
  if (sentAt === undefined || req.at - sentAt > ackDeadlineMs) return reject(unknownInteraction());
  if (i.callback) return reject(apiError(400, 40060, 'Interaction has already been acknowledged.'));
  const data = messageData(req.body);
  let message: StoredMessage | undefined;
  switch (type) {
    case Callback.Message:
    case Callback.DeferredMessage: {
      if (type === Callback.Message) {
        const invalid = validateMessageBody(data, { create: true });
        if (invalid) return reject(invalid);
      }
      const flags = Number(data['flags'] ?? 0) | (type === Callback.DeferredMessage ? MessageFlag.Loading : 0);
      message = p.createMessage({
        channelId: i.channelId, authorId: p.ids.botUserId, body: { ...data, flags }, type: i.type === 2 ? 20 : 0,
        interactionId: i.id, role: 'original', webhook: true, interactionMetadata: metadata(p, i),
      });
      i.originalMessageId = message.id;
      break;
    }
    case Callback.DeferredUpdate:
    case Callback.Update: {
      if (i.type !== 3) return reject(apiError(400, 40004, 'Interaction callback type is not valid for this interaction'));
      message = i.messageId ? p.state.messages.get(i.messageId) : undefined;
      if (type === Callback.Update) {
        const invalid = validateMessageBody(data, { create: false });
        if (invalid) return reject(invalid);
        if (message) p.editMessage(message, data);
      }
      if (message) i.originalMessageId = message.id;
      break;
    }
    case Callback.Modal:
    case Callback.Autocomplete:
      break;
    default:
      return reject(apiError(400, 50035, 'Invalid Form Body', { type: { _errors: [{ code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {4, 5, 6, 7, 8, 9, 10, 12}.' }] } }));
  }
  i.callback = record;
  i.callbacks.push(record);
  if (req.query.get('with_response') !== 'true') return { status: 204 };
  const flags = Number(message?.data['flags'] ?? 0);
  return {
    status: 200,
    body: {
      interaction: {
        id: i.id, type: i.type, activity_instance_id: null, response_message_id: message?.id ?? null,
        response_message_loading: (flags & MessageFlag.Loading) !== 0, response_message_ephemeral: (flags & MessageFlag.Ephemeral) !== 0,
      },
      resource: { type, ...(message ? { message: message.data } : {}) },
    },
  };
}

/**
 * The interaction a webhook route addresses, if the app id and token are right and it was acknowledged; the
 * 401/50027 answer when its token has expired.
 */
function webhookInteraction(req: RouteRequest, p: FakePlatform, lifetimeMs: number): InteractionRecord | RouteResult | undefined {
  if (req.params['app'] !== p.ids.applicationId) return undefined;
  const i = p.state.interaction(req.params['token']!);
  if (!i || i.token !== req.params['token']) return undefined;
  if (req.at - (i.dispatch?.createdAt ?? req.at) > lifetimeMs) return invalidWebhookToken();
  return i.callback ? i : undefined;
}

function isRecord(x: InteractionRecord | RouteResult | undefined): x is InteractionRecord {
  return x !== undefined && 'token' in x;
}

function webhookMessage(req: RouteRequest, p: FakePlatform, lifetimeMs: number): { i?: InteractionRecord; m?: StoredMessage; expired?: RouteResult } {
  const found = webhookInteraction(req, p, lifetimeMs);
  if (found !== undefined && !isRecord(found)) return { expired: found };
  const i = found;
  if (!i) return {};
  const id = req.params['message'] === '@original' ? i.originalMessageId : req.params['message'];
  const m = id === undefined ? undefined : p.state.messages.get(id);
  const ours = m && m.deletedAt === undefined && (m.interactionId === i.id || m.id === i.messageId);
  return { i, ...(ours ? { m } : {}) };
}

export function interactionRoutes(opts: InteractionRouteOptions): Route[] {
  const life = opts.tokenLifetimeMs;
  return [
    { method: 'POST', template: '/interactions/:id/:token/callback', auth: false, kind: 'interaction-callback',
      handler: (req, p) => callback(req, p, opts.ackDeadlineMs) },
    { method: 'POST', template: '/webhooks/:app/:token', auth: false, kind: 'webhook-message',
      handler: (req, p) => {
        const i = webhookInteraction(req, p, life);
        if (i !== undefined && !isRecord(i)) return i;
        if (!i) return unknownWebhook();
        const invalid = validateMessageBody(req.body, { create: true });
        if (invalid) return invalid;
        // "When used after a deferred response, the first follow-up edits the original deferred message"
        // (https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message), and
        // its flags are ignored: a deferral's visibility stays (discord/discord-api-docs#2742). So while the
        // deferred original still shows "thinking…", this follow-up resolves it instead of being a message of its own.
        const deferred = i.callback?.type === Callback.DeferredMessage && i.originalMessageId !== undefined
          ? p.state.messages.get(i.originalMessageId) : undefined;
        if (deferred && deferred.deletedAt === undefined && (Number(deferred.data['flags'] ?? 0) & MessageFlag.Loading) !== 0) {
          const { flags: _ignored, ...body } = req.body;
          const m = p.editMessage(deferred, body);
          return req.query.get('wait') === 'true' ? { status: 200, body: m.data } : { status: 204 };
        }
        const channelId = req.query.get('thread_id') ?? i.channelId;
        const m = p.createMessage({
          channelId, authorId: p.ids.botUserId, body: req.body, type: i.type === 2 ? 20 : 0, interactionId: i.id,
          role: 'follow-up', webhook: true, interactionMetadata: metadata(p, i),
        });
        i.followUpIds.push(m.id);
        return req.query.get('wait') === 'true' ? { status: 200, body: m.data } : { status: 204 };
      } },
    { method: 'GET', template: '/webhooks/:app/:token/messages/:message', auth: false,
      handler: (req, p) => {
        const { i, m, expired } = webhookMessage(req, p, life);
        if (expired) return expired;
        if (!i) return unknownWebhook();
        return m ? { status: 200, body: m.data } : unknownMessage();
      } },
    { method: 'PATCH', template: '/webhooks/:app/:token/messages/:message', auth: false, kind: 'webhook-edit',
      handler: (req, p) => {
        const { i, m, expired } = webhookMessage(req, p, life);
        if (expired) return expired;
        if (!i) return unknownWebhook();
        if (!m) return unknownMessage();
        const invalid = validateMessageBody(req.body, { create: false });
        if (invalid) return invalid;
        return { status: 200, body: p.editMessage(m, req.body).data };
      } },
    { method: 'DELETE', template: '/webhooks/:app/:token/messages/:message', auth: false,
      handler: (req, p) => {
        const { i, m, expired } = webhookMessage(req, p, life);
        if (expired) return expired;
        if (!i) return unknownWebhook();
        if (!m) return unknownMessage();
        p.deleteMessage(m);
        return { status: 204 };
      } },
  ];
}

