import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { DocentServices } from '../../../commands/services.js';
import type { Invoker } from '../../../commands/invoker.js';
import type { CommandDefinition, CommandReply } from '../../../commands/types.js';
import { DocentError } from '../../core/errors.js';
import type { Logger } from '../../logging/logger.js';
import { politeError } from '../shared/polite-error.js';
import { splitMessage } from '../shared/split-message.js';
import { toMrkdwn } from './mrkdwn.js';
import { POST_OPTIONS, slackErrorCode } from './outgoing.js';
import type { SlackCalls } from './slack-calls.js';
import type { ThreadCache } from './thread-cache.js';
import { runProgress } from './progress.js';
import { streamAnswer, type StreamingChoice } from './stream-answer.js';
import { questionEcho } from './thread-history.js';
import type { RecentKeys } from './recent-keys.js';

/**
 * `/docent <command> [text]`: the platform-neutral commands as sub-commands of one slash command (a Slack
 * app would otherwise need one slash command per definition). The first word picks the command; anything
 * else is a question, so `/docent where are the trail maps?` asks it. Bolt's `ack()` is called before any
 * of this runs (see slack-adapter.ts): the reply always comes after the 3-second acknowledgement.
 */
export interface CommandHandlerDeps {
  services: DocentServices;
  commands: Map<string, CommandDefinition>;
  logger: Logger;
  streaming: StreamingChoice;
  intervalMs: number;
  ourThreads: RecentKeys;
  /** Web API calls within the workspace's rate budget (slack-calls.ts). */
  calls: SlackCalls;
  threads: ThreadCache;
}

/** The slash command Docent registers (also in slack/manifest.yml). */
export const SLASH_COMMAND = '/docent';
/** response_url accepts five posts; long ephemeral replies are cut to that many messages. */
const MAX_RESPONSES = 5;
const RESPONSE_LIMIT = 2900;

/** `{name, rest}` of `/docent` text: a known command name first, else `ask` with everything; empty → help. */
export function parseSubcommand(text: string, names: Set<string>): { name: string; rest: string } {
  const trimmed = text.trim();
  if (!trimmed) return { name: names.has('help') ? 'help' : 'ask', rest: '' };
  const first = trimmed.split(/\s+/)[0] ?? '';
  const word = first.toLowerCase();
  if (names.has(word)) return { name: word, rest: trimmed.slice(first.length).trim() };
  return { name: 'ask', rest: trimmed };
}

/** Runs one `/docent` invocation after its ack. Never throws: failures become one polite ephemeral line. */
export async function handleSlashCommand(command: SlashCommand, respond: RespondFn, deps: CommandHandlerDeps): Promise<void> {
  const { name, rest } = parseSubcommand(command.text ?? '', new Set(deps.commands.keys()));
  const log = deps.logger.child({ command: name, channel: command.channel_id, userId: command.user_id });
  const reply = (markdown: string, ephemeral = true) => respondText(respond, slackCommandText(markdown, deps.commands), ephemeral);
  try {
    const def = deps.commands.get(name);
    if (!def) return await reply(`Sorry, \`${SLASH_COMMAND} ${name}\` is not available in this version of Docent.`);
    const invoker: Invoker = { platform: 'slack', userId: command.user_id, roleIds: [], displayName: command.user_name, channelId: command.channel_id };
    const result = await def.run({ args: argsFor(def, rest), invoker, services: deps.services });
    // The access policy (commands/access-policy.ts) refused: the reply says so; the log keeps who tried.
    if (result.type === 'text' && result.refused) log.warn({ userId: invoker.userId, command: def.name }, 'admin command refused');
    await render(result, command, respond, deps, log);
  } catch (err) {
    log.error({ err }, 'command failed');
    const message = err instanceof DocentError ? politeError(err) : 'Sorry — something went wrong while running that command. Please try again.';
    await reply(message).catch((e: unknown) => log.warn({ err: e }, 'could not report the failure'));
  }
}

/** The rest of the text goes to the command's first string option (ask: `question`). */
function argsFor(def: CommandDefinition, rest: string): Record<string, string | undefined> {
  const option = def.options.find((o) => o.type === 'string');
  return option ? { [option.name]: rest } : {};
}

async function render(result: CommandReply, command: SlashCommand, respond: RespondFn, deps: CommandHandlerDeps, log: Logger): Promise<void> {
  if (result.type === 'text') return respondText(respond, slackCommandText(result.markdown, deps.commands), result.ephemeral);
  if (result.type === 'progress') {
    await runProgress({ calls: deps.calls, respond, channel: command.channel_id, ephemeral: result.ephemeral, initial: result.initial, run: result.run, intervalMs: deps.intervalMs, logger: log });
    return;
  }
  // The slash command leaves no message to thread under: Docent posts the question, then answers beneath it.
  let rootTs: string | undefined;
  try {
    const root = await deps.calls.call('chat.postMessage', { channel: command.channel_id, text: questionEcho(result.question.text, command.user_name), ...POST_OPTIONS });
    rootTs = typeof root['ts'] === 'string' ? root['ts'] : undefined;
  } catch (err) {
    log.warn({ err, code: slackErrorCode(err) }, 'could not post in the channel');
  }
  if (!rootTs) {
    // Never shown, so never generated: closing the stream before it starts costs nothing.
    void result.parts[Symbol.asyncIterator]().return?.(undefined);
    return respondText(respond, 'Sorry — I cannot post in this conversation. Invite me to the channel (`/invite @Docent`) or ask me in a direct message.', true);
  }
  const threadKey = `${command.channel_id}:${rootTs}`;
  deps.ourThreads.add(threadKey);
  deps.threads.add(threadKey, { role: 'user', text: result.question.text });
  const streamed = await streamAnswer({
    calls: deps.calls,
    target: { channel: command.channel_id, threadTs: rootTs, userId: command.user_id, teamId: command.team_id },
    parts: result.parts,
    answerId: result.answerId,
    streaming: deps.streaming,
    intervalMs: deps.intervalMs,
    logger: log,
  });
  if (streamed.outcome === 'finished' && streamed.text.trim()) deps.threads.add(threadKey, { role: 'assistant', text: streamed.text });
  log.info({ answerId: result.answerId, outcome: streamed.outcome, mode: streamed.mode, edits: streamed.edits, messages: streamed.messageTs.length, endShown: streamed.endShown }, 'answered');
}

/** Command Markdown as Slack mrkdwn; `/ask`-style names in help texts read as `/docent ask`. */
export function slackCommandText(markdown: string, commands: Map<string, CommandDefinition>): string {
  const named = markdown.replace(/`\/([a-z]+)([^`]*)`/g, (m, name: string, tail: string) => (commands.has(name) ? `\`${SLASH_COMMAND} ${name}${tail}\`` : m));
  return toMrkdwn(named);
}

/** Posts mrkdwn through response_url, split over at most five messages. */
export async function respondText(respond: RespondFn, mrkdwn: string, ephemeral: boolean): Promise<void> {
  const chunks = splitMessage(mrkdwn, RESPONSE_LIMIT).filter((c) => c.trim());
  if (chunks.length > MAX_RESPONSES) {
    chunks.length = MAX_RESPONSES;
    chunks[MAX_RESPONSES - 1] = `${chunks[MAX_RESPONSES - 1]!.slice(0, RESPONSE_LIMIT - 20).trimEnd()}\n_(cut short)_`;
  }
  for (const text of chunks.length ? chunks : [' ']) {
    await respond({ response_type: ephemeral ? 'ephemeral' : 'in_channel', text, ...POST_OPTIONS });
  }
}
