import {
  ApplicationCommandOptionType, ApplicationCommandType, ApplicationIntegrationType, InteractionContextType,
  type APIApplicationCommandBasicOption, type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { CommandDefinition, CommandOption } from '../../../commands/types.js';

/**
 * Platform-neutral command definitions → Discord application-command JSON (what `PUT …/commands` takes).
 *
 * - Options map to STRING (3), INTEGER (4) and BOOLEAN (5); required options go first, as Discord demands.
 * - `access: 'admin'` sets `default_member_permissions: "0"`, which hides the command from everyone but
 *   server administrators (a server can grant it to a role in its integration settings). It is only a
 *   default that server owners can change, so the adapter also checks the allow-list on every run.
 * - Every command is guild-only (`contexts: [Guild]`, guild install): answers open threads and per-channel
 *   scoping needs a channel, neither of which exists in a DM, and the bot asks for no DM intents.
 */

const OPTION_TYPES: Record<CommandOption['type'], ApplicationCommandOptionType.String | ApplicationCommandOptionType.Integer | ApplicationCommandOptionType.Boolean> = {
  string: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  boolean: ApplicationCommandOptionType.Boolean,
};

const NAME = /^[-_\p{Ll}\p{N}]{1,32}$/u;

/** One command's JSON. Throws on a name or description Discord would reject, naming the command. */
export function toApplicationCommand(def: CommandDefinition): RESTPostAPIChatInputApplicationCommandsJSONBody {
  check(NAME.test(def.name), `command name "${def.name}" must be 1–32 lower-case letters, digits, - or _`);
  const options = [...def.options]
    .sort((a, b) => Number(b.required) - Number(a.required))
    .map((o) => {
      check(NAME.test(o.name), `option "${o.name}" of /${def.name} must be 1–32 lower-case letters, digits, - or _`);
      return { type: OPTION_TYPES[o.type], name: o.name, description: clip(o.description), required: o.required } as APIApplicationCommandBasicOption;
    });
  return {
    type: ApplicationCommandType.ChatInput,
    name: def.name,
    description: clip(def.description),
    options,
    default_member_permissions: def.access === 'admin' ? '0' : null,
    contexts: [InteractionContextType.Guild],
    integration_types: [ApplicationIntegrationType.GuildInstall],
  };
}

/** All commands' JSON, refusing duplicates (Discord would reject the whole PUT). */
export function toApplicationCommands(defs: CommandDefinition[]): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const seen = new Set<string>();
  return defs.map((d) => {
    check(!seen.has(d.name), `command "${d.name}" is defined twice`);
    seen.add(d.name);
    return toApplicationCommand(d);
  });
}

/** Discord caps descriptions at 100 characters; a longer one is cut rather than failing deployment. */
function clip(text: string): string {
  const t = text.trim() || '—';
  return t.length <= 100 ? t : `${t.slice(0, 99)}…`;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`Discord command definition: ${message}`);
}
