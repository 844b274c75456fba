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
  const onProgress = (p: IndexProgress) => {
    if (p.phase !== phase) {
      bar?.stop();
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
  return { onProgress, stop: () => bar?.stop() };
}
