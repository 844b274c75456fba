import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commandList } from '../../../commands/index.js';
import { deployCommands } from '../../../src/adapters/discord/deploy-commands.js';
import { registerDiscordCommands } from '../../../src/cli/commands/discord-command.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/fake-discord/index.js';

describe('deploying slash commands to the fake Discord', () => {
  let discord: FakeDiscord;
  beforeAll(async () => {
    discord = await startFakeDiscord({ token: 'deploy-token' });
  });
  afterAll(async () => discord?.close());

  it('puts guild commands in one guild and global ones globally, hiding admin commands', async () => {
    const { applicationId: app, guildId } = discord.ids;
    const guild = await deployCommands({ token: 'deploy-token', applicationId: app, commands: commandList, guildId, restApi: discord.restUrl });
    expect(guild.scope).toBe('guild');
    expect(guild.names.sort()).toEqual(commandList.map((c) => c.name).sort());
    const stored = discord.state.commands.guild[guildId]!;
    expect(stored.find((c) => c['name'] === 'reindex')?.['default_member_permissions']).toBe('0');
    expect(stored.find((c) => c['name'] === 'ask')?.['options']).toEqual([expect.objectContaining({ type: 3, name: 'question', required: true })]);

    const global = await deployCommands({ token: 'deploy-token', applicationId: app, commands: commandList.slice(0, 2), restApi: discord.restUrl });
    expect(global.scope).toBe('global');
    expect(discord.state.commands.global.map((c) => c['name'])).toEqual(commandList.slice(0, 2).map((c) => c.name));
  });

  it('`docent discord deploy-commands --guild` reads the token and client id from the config', async () => {
    vi.stubEnv('DISCORD_TOKEN', 'deploy-token');
    vi.stubEnv('DISCORD_CLIENT_ID', discord.ids.applicationId);
    vi.stubEnv('LOG_LEVEL', 'silent');
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    try {
      const program = new Command('docent').option('--data-dir <dir>').exitOverride();
      registerDiscordCommands(program);
      await program.parseAsync(['discord', 'deploy-commands', '--guild', '999', '--api', discord.restUrl, '--json'], { from: 'user' });
    } finally {
      write.mockRestore();
      vi.unstubAllEnvs();
    }
    const result = JSON.parse(out.join('')) as { scope: string; guildId: string; names: string[] };
    expect(result).toMatchObject({ scope: 'guild', guildId: '999' });
    expect(discord.state.commands.guild['999']?.length).toBe(commandList.length);
  });

  it('stops with the variable to set when the token is missing', async () => {
    vi.stubEnv('DISCORD_TOKEN', '');
    vi.stubEnv('LOG_LEVEL', 'silent');
    try {
      const program = new Command('docent').option('--data-dir <dir>').exitOverride();
      registerDiscordCommands(program);
      await expect(program.parseAsync(['discord', 'deploy-commands'], { from: 'user' })).rejects.toThrow(/DISCORD_TOKEN/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
