import { observe } from './observe.js';

/**
 * The older way to record a case: `RELIABILITY|suite|case|expected|observed|pass`. Kept for suites that still
 * use it; it is `observe('suite/case', observed)` now. The trailing result is ignored — the report takes every
 * outcome from the test runner — so record before asserting, or the row shows the failure without an
 * observation. New cases: call observe() and add a line to cases.ts.
 */
export function reportLine(line: string): void {
  const [, suite = '', kase = '', expected = '', observed = ''] = line.replace(/\n/g, ' ').split('|');
  observe(`${suite}/${kase}`, observed, expected);
}
