import { Routes, type REST, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { CommandDefinition } from '../../../commands/types.js';
import { toApplicationCommands } from './command-json.js';

export interface SyncCommandsOptions {
  /** A REST client with the bot token set (the adapter's `client.rest`). */
  rest: REST;
  applicationId: string;
  commands: CommandDefinition[];
  /** Register in this server only (instant); omit for global commands. */
  guildId?: string;
}

export interface SyncCommandsResult {
  scope: 'guild' | 'global';
  /** False when Discord already held exactly these commands, so nothing was written. */
  changed: boolean;
  names: string[];
}

type Json = Record<string, unknown>;

/**
 * The fields Docent sets, as Discord returns them: Discord fills in defaults (no `options` or `required` when
 * empty or false, `default_member_permissions: null`) and adds its own (id, version, localizations), which
 * must not count as a difference.
 */
function comparable(c: Json): Json {
  const options = Array.isArray(c['options']) ? (c['options'] as Json[]) : [];
  return {
    type: c['type'] ?? 1,
    name: c['name'],
    description: c['description'] ?? '',
    options: options.map((o) => ({ type: o['type'], name: o['name'], description: o['description'] ?? '', required: o['required'] ?? false })),
    default_member_permissions: c['default_member_permissions'] ?? null,
    contexts: c['contexts'] ?? null,
    integration_types: c['integration_types'] ?? null,
  };
}

const key = (list: Json[]) => JSON.stringify(list.map(comparable).sort((a, b) => String(a['name']).localeCompare(String(b['name']))));

/** Whether Discord's registered commands already match the wanted ones (order aside). */
export function sameCommands(registered: Json[], wanted: RESTPostAPIChatInputApplicationCommandsJSONBody[]): boolean {
  return key(registered) === key(wanted as unknown as Json[]);
}

/**
 * Registers the slash commands at start-up when they differ from what Discord holds, so a new bot has `/ask`
 * without anyone running `docent discord deploy-commands`. Idempotent: it reads the registered commands first
 * and writes (one bulk overwrite, `PUT`) only on a difference, because every write of global commands makes
 * Discord push them to all clients again and command writes have a tight daily quota (200 creates per day per
 * guild: https://discord.com/developers/docs/interactions/application-commands#registering-a-command).
 */
export async function syncCommands(o: SyncCommandsOptions): Promise<SyncCommandsResult> {
  const wanted = toApplicationCommands(o.commands);
  const route = o.guildId ? Routes.applicationGuildCommands(o.applicationId, o.guildId) : Routes.applicationCommands(o.applicationId);
  const scope = o.guildId ? 'guild' : 'global';
  const registered = (await o.rest.get(route)) as Json[];
  const names = wanted.map((c) => c.name);
  if (sameCommands(registered, wanted)) return { scope, changed: false, names };
  await o.rest.put(route, { body: wanted });
  return { scope, changed: true, names };
}
