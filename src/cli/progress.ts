import cliProgress from 'cli-progress';
import type { IndexProgress } from '../core/index-report.js';

const LABELS: Record<IndexProgress['phase'], string> = { load: 'Loading  ', embed: 'Embedding', store: 'Storing  ' };

/**
 * A progress bar per phase on a TTY; nothing otherwise (CI logs and pipes stay clean).
 * Returns the callback for the indexer and a `stop` that clears the bar.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return { onProgress: undefined, stop: () => undefined };
  let bar: cliProgress.SingleBar | undefined;
  let phase: IndexProgress['phase'] | undefined;
  // The bar hides the cursor and turns line wrap off while it draws. A Ctrl-C exits through process.exit
  // (signals.ts), which skips stop(): give the terminal back in the exit hook, or the shell is left without a cursor.
  const restoreTerminal = (): void => {
    bar?.stop();
    stream.write('\x1b[?25h\x1b[?7h\n');
  };
  const onProgress = (p: IndexProgress) => {
    if (p.phase !== phase) {
      bar?.stop();
      if (!phase) process.once('exit', restoreTerminal);
      phase = p.phase;
      bar = new cliProgress.SingleBar(
        { stream, format: `${LABELS[p.phase]} [{bar}] {value}/{total}`, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      bar.start(p.total, p.done);
    }
    bar?.setTotal(p.total);
    bar?.update(p.done);
  };
  return {
    onProgress,
    stop: () => {
      bar?.stop();
      process.off('exit', restoreTerminal);
    },
  };
}
