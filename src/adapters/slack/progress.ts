import type { RespondFn } from '@slack/bolt';
import type { CommandReply } from '../../../commands/types.js';
import type { Logger } from '../../logging/logger.js';
import { splitMessage } from '../shared/split-message.js';
import { createThrottledEditor } from '../shared/throttled-editor.js';
import { toMrkdwn } from './mrkdwn.js';
import { MESSAGE_LIMIT, POST_OPTIONS, slackErrorCode } from './outgoing.js';
import type { SlackCalls } from './slack-calls.js';
import { runForFinalText } from '../shared/progress-failure.js';

type ProgressRun = Extract<CommandReply, { type: 'progress' }>['run'];

export interface RunProgressOptions {
  calls: SlackCalls;
  respond: RespondFn;
  channel: string;
  ephemeral: boolean;
  /** The first state shown. */
  initial: string;
  run: ProgressRun;
  intervalMs: number;
  logger: Logger;
}

/**
 * Long work that reports in place (reindex). A public reply is a channel message edited with `chat.update`
 * through the throttled editor (an indexer reports hundreds of times a second; Slack gets about one update
 * per interval) and the returned Markdown is always the last edit. An ephemeral reply — or a public one in a
 * conversation Docent cannot post to — goes through response_url, which takes only five posts: the first
 * state, then the final one replacing it; intermediate reports are skipped. `report` never blocks the work.
 */
export async function runProgress(o: RunProgressOptions): Promise<void> {
  const show = (md: string) => fit(toMrkdwn(md));
  let apply: (md: string) => Promise<void>;
  let ts: string | undefined;
  if (!o.ephemeral) {
    try {
      const res = await o.calls.call('chat.postMessage', { channel: o.channel, text: show(o.initial), ...POST_OPTIONS });
      ts = typeof res['ts'] === 'string' ? res['ts'] : undefined;
    } catch (err) {
      o.logger.warn({ err, code: slackErrorCode(err) }, 'could not post progress in the channel; replying privately');
    }
  }
  if (ts) {
    const at = ts;
    apply = async (md) => {
      // Progress waits its turn like any call that must happen; the throttled editor coalesces meanwhile.
      await o.calls.call('chat.update', { channel: o.channel, ts: at, text: show(md) });
    };
  } else {
    await o.respond({ response_type: 'ephemeral', text: show(o.initial) });
    apply = async () => undefined;
  }
  const editor = createThrottledEditor<string>({
    intervalMs: o.intervalMs,
    apply: (md) => apply(md),
    onError: (err) => o.logger.warn({ err, code: slackErrorCode(err) }, 'progress update failed'),
  });
  const final = await runForFinalText(o.run, async (md) => editor.update(md), o.logger);
  if (!ts) {
    apply = async (md) => {
      await o.respond({ response_type: 'ephemeral', replace_original: true, text: show(md) });
    };
  }
  await editor.finish(final).catch((err: unknown) => o.logger.error({ err, code: slackErrorCode(err) }, 'final progress update failed'));
}

/** One message's worth: progress texts are short, but a long skipped-files list must not fail the update. */
function fit(mrkdwn: string): string {
  const [first = ' '] = splitMessage(mrkdwn, MESSAGE_LIMIT);
  return first.length < mrkdwn.length ? `${first.trimEnd()}\n_…_` : first;
}
