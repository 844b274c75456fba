import type { AnswerPart, Question } from '../src/core/answer/types.js';
import type { Invoker } from './invoker.js';
import type { DocentServices } from './services.js';

/**
 * Platform-neutral command definitions. Every surface registers the same definitions in its own way
 * (Discord slash commands, Slack `/docent <command>`, console `:command`) and renders the reply.
 */

export interface CommandOption {
  name: string;
  description: string;
  type: 'string' | 'integer' | 'boolean';
  required: boolean;
}

/** What a command produces; the adapter decides how it looks on its platform. */
export type CommandReply =
  /** An answer to stream (ask). `answerId` ties feedback buttons to the recorded answer. */
  | { type: 'answer'; answerId: string; question: Question; parts: AsyncIterable<AnswerPart> }
  /** A finished Markdown message (status, sources, help, refusals). Ephemeral: only the invoker sees it. */
  | { type: 'text'; markdown: string; ephemeral: boolean; refused?: 'admin' }
  /**
   * Long work that reports progress in place (reindex): the adapter calls `run` with a `report` function that
   * updates the visible message, and shows the returned Markdown as the final state.
   */
  | { type: 'progress'; ephemeral: boolean; initial: string; run: (report: (markdown: string) => Promise<void>) => Promise<string> };

export interface CommandContext {
  args: Record<string, string | number | boolean | undefined>;
  invoker: Invoker;
  services: DocentServices;
  /**
   * Longest an answer may wait for a slot on this surface, ms (undefined: the configured bound). A Discord
   * interaction sets it to its token's remaining time, so a refusal is still shown through the token.
   */
  queueWaitMs?: number;
}

export interface CommandDefinition {
  name: string;
  description: string;
  options: CommandOption[];
  /**
   * `admin`: hidden from non-admins where the platform can (Discord `default_member_permissions: "0"`) AND
   * checked on every run against the configured allow-list (access-policy.ts wraps every listed command).
   */
  access: 'everyone' | 'admin';
  run(ctx: CommandContext): Promise<CommandReply>;
}
