import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Every non-blank line of a JSON-lines file, parsed; lines that do not parse are counted, not thrown (a crash
 * can cut a log's last line). Streams the file: activity logs grow with use. Shared by the activity log and
 * the insights report, which reads the same files without opening an ActivityLog.
 */
export async function parseJsonLines(file: string): Promise<{ values: unknown[]; bad: number }> {
  const values: unknown[] = [];
  let bad = 0;
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    try {
      values.push(JSON.parse(line));
    } catch {
      bad++;
    }
  }
  return { values, bad };
}
