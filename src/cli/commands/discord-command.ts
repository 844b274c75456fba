import { Option, type Command } from 'commander';
import { commandList } from '../../../commands/index.js';
import { deployCommands } from '../../adapters/discord/deploy-commands.js';
import { ConfigError } from '../../core/errors.js';
import { cliContext, type GlobalOptions } from '../context.js';

/**
 * `docent discord …`: Discord housekeeping that does not need the bot running.
 *
 * `docent discord deploy-commands [--guild ID | --global]` registers the slash commands (one bulk overwrite).
 * A guild (from --guild or DISCORD_GUILD_ID) gets them at once, which suits development; global commands
 * reach every server the bot is in but can take a while to appear.
 */
export function registerDiscordCommands(program: Command): void {
  const discord = program.command('discord').description('Discord bot housekeeping');
  discord
    .command('deploy-commands')
    .description('Register the slash commands with Discord (guild-scoped with --guild or DISCORD_GUILD_ID, else global)')
    .option('--guild <id>', 'register in this server only (instant; for development)')
    .option('--global', 'register globally even when DISCORD_GUILD_ID is set')
    .option('--json', 'print the result as JSON')
    // For tests against the loopback fake Discord; not a user-facing setting.
    .addOption(new Option('--api <url>', 'Discord REST base URL').hideHelp())
    .action(async (opts: { guild?: string; global?: boolean; json?: boolean; api?: string }, cmd: Command) => {
      const { config, logger } = cliContext(cmd.optsWithGlobals<GlobalOptions>());
      const { token, clientId } = config.discord;
      if (!token) throw new ConfigError('discord.token (DISCORD_TOKEN)', 'is not set', 'set DISCORD_TOKEN to the bot token from the Discord developer portal');
      if (!clientId) throw new ConfigError('discord.clientId (DISCORD_CLIENT_ID)', 'is not set', 'set DISCORD_CLIENT_ID to the application id from the Discord developer portal');
      const guildId = opts.global ? undefined : opts.guild || config.discord.guildId || undefined;
      const result = await deployCommands({
        token, applicationId: clientId, commands: commandList,
        ...(guildId ? { guildId } : {}), ...(opts.api ? { restApi: opts.api } : {}),
      });
      // The token never reaches the log: only ids and names.
      logger.info({ platform: 'discord', scope: result.scope, guildId, commands: result.names }, 'slash commands deployed');
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ...result, guildId: guildId ?? null }, null, 2)}\n`);
        return;
      }
      const where = result.scope === 'guild' ? `server ${guildId} (available now)` : 'all servers (global; may take a while to appear)';
      process.stdout.write(`Registered ${result.names.length} commands in ${where}: ${result.names.map((n) => `/${n}`).join(' ')}\n`);
    });
}
