import { REST, Routes } from 'discord.js';
import type { CommandDefinition } from '../../../commands/types.js';
import { toApplicationCommands } from './command-json.js';

export interface DeployCommandsOptions {
  token: string;
  /** The application (client) id. */
  applicationId: string;
  commands: CommandDefinition[];
  /** Register in one server only: changes show at once, which suits development. Omit for global commands. */
  guildId?: string;
  /** REST base URL (tests: the fake Discord's); default discord.com. */
  restApi?: string;
}

export interface DeployCommandsResult {
  scope: 'guild' | 'global';
  /** Names of the commands Discord now holds for that scope. */
  names: string[];
}

/**
 * Registers the slash commands with one bulk overwrite (`PUT`), so commands removed from the list also
 * disappear from Discord and re-running is harmless. Global commands can take a while to show in clients;
 * guild commands show at once.
 */
export async function deployCommands(o: DeployCommandsOptions): Promise<DeployCommandsResult> {
  const rest = new REST({ version: '10', ...(o.restApi ? { api: o.restApi } : {}) }).setToken(o.token);
  const body = toApplicationCommands(o.commands);
  const route = o.guildId ? Routes.applicationGuildCommands(o.applicationId, o.guildId) : Routes.applicationCommands(o.applicationId);
  const saved = (await rest.put(route, { body })) as Array<{ name: string }>;
  return { scope: o.guildId ? 'guild' : 'global', names: saved.map((c) => c.name) };
}
