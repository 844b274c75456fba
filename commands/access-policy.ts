import type { CommandContext, CommandDefinition, CommandReply } from './types.js';

/**
 * The one place a command's `access` is enforced. Every definition in `commandList` is wrapped here, so
 * whatever calls `run()` — Discord, Slack, the console, a future API route — gets the same check, and no
 * surface can forget it (each adapter used to check for itself, and `reindex` checked again inside).
 *
 * A refusal is an ordinary private text reply marked `refused`, so a surface can log the attempt; the wording
 * names the command as a chat user types it (`/reindex`; Slack's renderer turns that into `/docent reindex`).
 */
export function withAccessPolicy(def: CommandDefinition): CommandDefinition {
  if (def.access === 'everyone') return def;
  return {
    ...def,
    run(ctx: CommandContext): Promise<CommandReply> {
      if (!ctx.services.isAdmin(ctx.invoker)) return Promise.resolve(adminRefusal(def.name));
      return def.run(ctx);
    },
  };
}

export function adminRefusal(name: string): CommandReply {
  return { type: 'text', markdown: `Sorry, only Docent admins can run \`/${name}\`.`, ephemeral: true, refused: 'admin' };
}
