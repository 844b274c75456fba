/**
 * The fake Discord's REST routes other than interaction responses: gateway discovery, the bot's own user and
 * application, command registration, the guild, channel messages (send, edit, delete, history) and threads.
 * Answers are shaped like Discord's (status codes, error codes) so discord.js reacts as it would in production.
 */
import { ChannelType, MessageFlag, snowflake, type Wire } from './payloads.js';
import { apiError, validateMessageBody, type FakePlatform } from './platform.js';
import type { Route, RouteRequest, RouteResult } from './rest.js';
import { compareIds } from './state.js';

const unknownChannel = () => apiError(404, 10003, 'Unknown Channel');
const unknownMessage = () => apiError(404, 10008, 'Unknown Message');
const unknownApplication = () => apiError(404, 10002, 'Unknown Application');

/** Stores a PUT (bulk overwrite) of commands the way Discord answers it: same names keep their ids. */
function overwriteCommands(p: FakePlatform, existing: Wire[], sent: unknown, guildId?: string): Wire[] {
  const list = Array.isArray(sent) ? (sent as Wire[]) : [];
  return list.map((c) => toCommand(p, existing.find((e) => e['name'] === c['name'] && (e['type'] ?? 1) === (c['type'] ?? 1)), c, guildId));
}

function toCommand(p: FakePlatform, previous: Wire | undefined, c: Wire, guildId?: string): Wire {
  return {
    type: 1, description: '', options: [], default_member_permissions: null, nsfw: false,
    contexts: null, integration_types: [0], ...c,
    id: previous?.['id'] ?? snowflake(), application_id: p.ids.applicationId, version: snowflake(),
    ...(guildId ? { guild_id: guildId } : {}),
  };
}

function commandRoutes(): Route[] {
  const checkApp = (req: RouteRequest, p: FakePlatform) => req.params['app'] === p.ids.applicationId;
  const guildList = (p: FakePlatform, g: string) => (p.state.commands.guild[g] ??= []);
  const upsert = (list: Wire[], cmd: Wire) => {
    const at = list.findIndex((c) => c['id'] === cmd['id']);
    if (at >= 0) list[at] = cmd;
    else list.push(cmd);
  };
  return [
    { method: 'GET', template: '/applications/:app/commands', auth: true,
      handler: (req, p) => (checkApp(req, p) ? { status: 200, body: p.state.commands.global } : unknownApplication()) },
    { method: 'PUT', template: '/applications/:app/commands', auth: true, kind: 'commands',
      handler: (req, p) => {
        if (!checkApp(req, p)) return unknownApplication();
        p.state.commands.global = overwriteCommands(p, p.state.commands.global, req.body['_array']);
        return { status: 200, body: p.state.commands.global };
      } },
    { method: 'POST', template: '/applications/:app/commands', auth: true, kind: 'commands',
      handler: (req, p) => {
        if (!checkApp(req, p)) return unknownApplication();
        const cmd = toCommand(p, p.state.commands.global.find((c) => c['name'] === req.body['name']), req.body);
        upsert(p.state.commands.global, cmd);
        return { status: 201, body: cmd };
      } },
    { method: 'DELETE', template: '/applications/:app/commands/:command', auth: true, kind: 'commands',
      handler: (req, p) => {
        p.state.commands.global = p.state.commands.global.filter((c) => c['id'] !== req.params['command']);
        return { status: 204 };
      } },
    { method: 'GET', template: '/applications/:app/guilds/:guild/commands', auth: true,
      handler: (req, p) => (checkApp(req, p) ? { status: 200, body: guildList(p, req.params['guild']!) } : unknownApplication()) },
    { method: 'PUT', template: '/applications/:app/guilds/:guild/commands', auth: true, kind: 'commands',
      handler: (req, p) => {
        if (!checkApp(req, p)) return unknownApplication();
        const g = req.params['guild']!;
        p.state.commands.guild[g] = overwriteCommands(p, guildList(p, g), req.body['_array'], g);
        return { status: 200, body: p.state.commands.guild[g] };
      } },
    { method: 'POST', template: '/applications/:app/guilds/:guild/commands', auth: true, kind: 'commands',
      handler: (req, p) => {
        if (!checkApp(req, p)) return unknownApplication();
        const list = guildList(p, req.params['guild']!);
        const cmd = toCommand(p, list.find((c) => c['name'] === req.body['name']), req.body, req.params['guild']);
        upsert(list, cmd);
        return { status: 201, body: cmd };
      } },
  ];
}

function history(req: RouteRequest, p: FakePlatform): RouteResult {
  const channelId = req.params['channel']!;
  if (!p.state.channels.has(channelId)) return unknownChannel();
  const limit = Math.min(100, Math.max(1, Number(req.query.get('limit') ?? 50)));
  const before = req.query.get('before');
  const after = req.query.get('after');
  const around = req.query.get('around');
  let list = p.state.messagesIn(channelId).map((m) => p.asReadByApp(m));
  if (before) list = list.filter((m) => compareIds(String(m['id']), before) < 0);
  if (after) list = list.filter((m) => compareIds(String(m['id']), after) > 0);
  if (around) {
    const idx = list.findIndex((m) => compareIds(String(m['id']), around) >= 0);
    const start = Math.max(0, (idx < 0 ? list.length : idx) - Math.floor(limit / 2));
    list = list.slice(start, start + limit);
  } else if (after && !before) {
    list = list.slice(0, limit); // the oldest `limit` after the anchor
  } else {
    list = list.slice(-limit);
  }
  return { status: 200, body: list.reverse() }; // newest first, as Discord returns them
}

function postMessage(req: RouteRequest, p: FakePlatform): RouteResult {
  const channelId = req.params['channel']!;
  if (!p.state.channels.has(channelId)) return unknownChannel();
  const invalid = validateMessageBody(req.body, { create: true });
  if (invalid) return invalid;
  const ref = req.body['message_reference'] as Wire | undefined;
  if (ref?.['message_id'] && ref['fail_if_not_exists'] !== false && !p.state.messages.has(String(ref['message_id']))) {
    return apiError(400, 50035, 'Invalid Form Body', { message_reference: { _errors: [{ code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }] } });
  }
  return { status: 200, body: p.createMessage({ channelId, authorId: p.ids.botUserId, body: req.body }).data };
}

function startThread(req: RouteRequest, p: FakePlatform, fromMessage: boolean): RouteResult {
  const parentId = req.params['channel']!;
  const parent = p.state.channels.get(parentId);
  if (!parent) return unknownChannel();
  if (p.isThread(parent)) return apiError(400, 50024, 'Cannot execute action on this channel type');
  const name = req.body['name'];
  if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
    return apiError(400, 50035, 'Invalid Form Body', { name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }] } });
  }
  const starter = fromMessage ? p.state.messages.get(req.params['message']!) : undefined;
  if (fromMessage && (!starter || starter.channelId !== parentId)) return unknownMessage();
  if (starter && starter.data['thread']) return apiError(400, 160004, 'A thread has already been created for this message');
  const thread = p.createThread({
    parentId, name, ownerId: p.ids.botUserId, ...(starter ? { starter } : {}),
    type: fromMessage ? ChannelType.PublicThread : Number(req.body['type'] ?? ChannelType.PrivateThread),
    autoArchiveDuration: Number(req.body['auto_archive_duration'] ?? parent['default_auto_archive_duration'] ?? 1440),
  });
  return { status: 201, body: thread };
}

function channelRoutes(): Route[] {
  return [
    { method: 'GET', template: '/channels/:channel', auth: true,
      handler: (req, p) => {
        const c = p.state.channels.get(req.params['channel']!);
        return c ? { status: 200, body: c } : unknownChannel();
      } },
    { method: 'GET', template: '/channels/:channel/messages', auth: true, handler: history },
    { method: 'GET', template: '/channels/:channel/messages/:message', auth: true,
      handler: (req, p) => {
        const m = p.state.messages.get(req.params['message']!);
        return m && m.channelId === req.params['channel'] && m.deletedAt === undefined ? { status: 200, body: p.asReadByApp(m) } : unknownMessage();
      } },
    { method: 'POST', template: '/channels/:channel/messages', auth: true, kind: 'channel-message', handler: postMessage },
    { method: 'PATCH', template: '/channels/:channel/messages/:message', auth: true, kind: 'message-edit',
      handler: (req, p) => {
        const m = p.state.messages.get(req.params['message']!);
        if (!m || m.channelId !== req.params['channel'] || m.deletedAt !== undefined) return unknownMessage();
        if (!m.byBot) return apiError(403, 50005, 'Cannot edit a message authored by another user');
        // An ephemeral interaction response exists only for the interaction token; the channel route does not
        // know it (discord/discord-api-docs#3090). Public ones can be edited here once the token has expired.
        if ((Number(m.data['flags'] ?? 0) & MessageFlag.Ephemeral) !== 0) return unknownMessage();
        const invalid = validateMessageBody(req.body, { create: false });
        return invalid ?? { status: 200, body: p.editMessage(m, req.body).data };
      } },
    { method: 'DELETE', template: '/channels/:channel/messages/:message', auth: true,
      handler: (req, p) => {
        const m = p.state.messages.get(req.params['message']!);
        if (!m || m.channelId !== req.params['channel'] || m.deletedAt !== undefined) return unknownMessage();
        p.deleteMessage(m);
        return { status: 204 };
      } },
    { method: 'POST', template: '/channels/:channel/typing', auth: true,
      handler: (req, p) => (p.state.channels.has(req.params['channel']!) ? { status: 204 } : unknownChannel()) },
    { method: 'POST', template: '/channels/:channel/messages/:message/threads', auth: true, kind: 'thread',
      handler: (req, p) => startThread(req, p, true) },
    { method: 'POST', template: '/channels/:channel/threads', auth: true, kind: 'thread',
      handler: (req, p) => startThread(req, p, false) },
    { method: 'PUT', template: '/channels/:channel/thread-members/@me', auth: true,
      handler: (req, p) => (p.state.channels.has(req.params['channel']!) ? { status: 204 } : unknownChannel()) },
  ];
}

function miscRoutes(gatewayUrl: string): Route[] {
  return [
    { method: 'GET', template: '/gateway', auth: false, handler: () => ({ status: 200, body: { url: gatewayUrl } }) },
    { method: 'GET', template: '/gateway/bot', auth: true,
      handler: () => ({
        status: 200,
        body: { url: gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } },
      }) },
    { method: 'GET', template: '/users/@me', auth: true, handler: (_req, p) => ({ status: 200, body: p.botUser() }) },
    { method: 'GET', template: '/users/:user', auth: true,
      handler: (req, p) => {
        const u = p.state.users.get(req.params['user']!);
        return u ? { status: 200, body: u } : apiError(404, 10013, 'Unknown User');
      } },
    { method: 'GET', template: '/applications/@me', auth: true,
      handler: (_req, p) => ({
        status: 200,
        body: {
          id: p.ids.applicationId, name: 'Docent', icon: null, description: '', summary: '', type: null, bot: p.botUser(),
          bot_public: false, bot_require_code_grant: false, verify_key: '0'.repeat(64), flags: 1 << 19, owner: p.user(p.ids.userId),
          team: null, approximate_guild_count: 1, install_params: null, integration_types_config: {},
        },
      }) },
    { method: 'GET', template: '/guilds/:guild', auth: true,
      handler: (req, p) => (req.params['guild'] === p.ids.guildId ? { status: 200, body: p.guild() } : apiError(404, 10004, 'Unknown Guild')) },
    { method: 'GET', template: '/guilds/:guild/roles', auth: true, handler: (_req, p) => ({ status: 200, body: p.state.roles }) },
    { method: 'GET', template: '/guilds/:guild/channels', auth: true,
      handler: (_req, p) => ({ status: 200, body: [...p.state.channels.values()].filter((c) => !p.isThread(c)) }) },
    { method: 'GET', template: '/guilds/:guild/members/:user', auth: true,
      handler: (req, p) => {
        const m = p.state.members.get(req.params['user']!);
        return m ? { status: 200, body: m } : apiError(404, 10007, 'Unknown Member');
      } },
  ];
}

export function coreRoutes(opts: { gatewayUrl: string }): Route[] {
  return [...miscRoutes(opts.gatewayUrl), ...commandRoutes(), ...channelRoutes()];
}
