import { appendFileSync } from 'node:fs';

/**
 * Records one observed reliability case: printed, and — when `npm run reliability` collects a report
 * (RELIABILITY_OUT) — appended to its file, which does not depend on how the test runner shows console output.
 */
export function reportLine(line: string): void {
  console.log(line);
  const out = process.env.RELIABILITY_OUT;
  if (out) appendFileSync(out, `${line.replace(/\n/g, ' ')}\n`);
}
