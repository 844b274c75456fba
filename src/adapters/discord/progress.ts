import type { CommandReply } from '../../../commands/types.js';
import type { Logger } from '../../logging/logger.js';
import { MessageSeries, type MessageSurface } from './message-series.js';
import { safeMarkdown } from './sanitize.js';
import { splitMessage } from '../shared/split-message.js';
import { createThrottledEditor } from '../shared/throttled-editor.js';
import { runForFinalText } from '../shared/progress-failure.js';

type ProgressRun = Extract<CommandReply, { type: 'progress' }>['run'];

export interface RunProgressOptions {
  surface: MessageSurface;
  /** What the first message shows already. */
  initial: string;
  run: ProgressRun;
  editIntervalMs: number;
  logger: Logger;
}

/**
 * Long work that reports in place (reindex): each report replaces the message text through the same
 * throttled editor as answers (an indexer can report hundreds of times a second; Discord gets about one
 * edit a second), and the returned Markdown is always the last edit. `report` never blocks the work.
 */
export async function runProgress(o: RunProgressOptions): Promise<void> {
  const series = new MessageSeries(o.surface, { content: o.initial });
  const toMessages = (md: string) => splitMessage(safeMarkdown(md)).map((content) => ({ content }));
  const editor = createThrottledEditor<string>({
    intervalMs: o.editIntervalMs,
    apply: (md) => series.show(toMessages(md)),
    onError: (err) => o.logger.warn({ err }, 'progress edit failed'),
  });
  const final = await runForFinalText(o.run, async (md) => editor.update(md), o.logger);
  await editor.finish(final);
}
