import { askCommand } from './ask.js';
import { helpCommand } from './help.js';
import { reindexCommand } from './reindex.js';
import { sourcesCommand } from './sources.js';
import { statusCommand } from './status.js';
import type { CommandDefinition } from './types.js';
import { withAccessPolicy } from './access-policy.js';

export type { CommandContext, CommandDefinition, CommandOption, CommandReply } from './types.js';
export type { Invoker } from './invoker.js';
export type { AccessPolicy, AdminService, AnswerSurface, AnsweringService, DocentServices, Feedback, SourceReport, StatusReport } from './services.js';

/**
 * Every command, in the order help lists them. Each surface registers exactly these, each wrapped in the access
 * policy (access-policy.ts): an admin command refuses a non-admin whoever calls it.
 */
export const commandList: CommandDefinition[] = [askCommand, sourcesCommand, statusCommand, reindexCommand].map(withAccessPolicy);
commandList.push(withAccessPolicy(helpCommand(() => commandList)));

export function findCommand(name: string): CommandDefinition | undefined {
  return commandList.find((c) => c.name === name);
}
