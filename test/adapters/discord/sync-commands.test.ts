/**
 * Start-up command registration against the fake Discord: the first sync writes (one PUT), a second one only
 * reads, a changed definition writes again, and Discord's own additions and defaults (ids, versions, omitted
 * empty options, `required` left out when false) never count as a difference.
 */
import { REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import { toApplicationCommands } from '../../../src/adapters/discord/command-json.js';
import { sameCommands, syncCommands } from '../../../src/adapters/discord/sync-commands.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/fake-discord/index.js';

describe('syncCommands', () => {
  let discord: FakeDiscord;
  let rest: REST;
  beforeAll(async () => {
    discord = await startFakeDiscord({ token: 'sync-token' });
    rest = new REST({ version: '10', api: discord.restUrl }).setToken('sync-token');
  });
  afterAll(async () => discord?.close());

  const puts = () => discord.state.outgoing.filter((o) => o.kind === 'commands' && o.method === 'PUT');

  it('writes only when Discord holds something else, in the guild or globally', async () => {
    const { applicationId, guildId } = discord.ids;
    const first = await syncCommands({ rest, applicationId, commands: commandList, guildId });
    expect(first).toMatchObject({ scope: 'guild', changed: true });
    expect(discord.state.commands.guild[guildId]!.map((c) => c['name']).sort()).toEqual(commandList.map((c) => c.name).sort());
    expect(puts()).toHaveLength(1);

    expect((await syncCommands({ rest, applicationId, commands: commandList, guildId })).changed).toBe(false);
    expect(puts()).toHaveLength(1);

    const edited = commandList.map((c) => (c.name === 'ask' ? { ...c, description: `${c.description} (new)` } : c));
    expect((await syncCommands({ rest, applicationId, commands: edited, guildId })).changed).toBe(true);
    expect(puts()).toHaveLength(2);

    expect(await syncCommands({ rest, applicationId, commands: commandList })).toMatchObject({ scope: 'global', changed: true });
    expect(discord.state.commands.global.length).toBe(commandList.length);
    expect(puts().at(-1)!.path).toBe(`/applications/${applicationId}/commands`);
  });

  it('ignores the fields Discord adds or leaves out', () => {
    const wanted = toApplicationCommands(commandList);
    const asDiscordReturns = wanted.slice().reverse().map((c) => {
      const { options, ...rest } = c;
      return {
        ...rest, id: '1', application_id: '2', version: '3', name_localizations: null, nsfw: false,
        ...(options?.length ? { options: options.map((o) => (o.required ? o : { ...o, required: undefined })) } : {}),
      } as Record<string, unknown>;
    });
    expect(sameCommands(asDiscordReturns, wanted)).toBe(true);
    expect(sameCommands(asDiscordReturns.slice(1), wanted)).toBe(false);
  });
});
