import { appendFileSync } from 'node:fs';
import { expect } from 'vitest';

/**
 * Records what a reliability case observed, for the generated report (`npm run reliability`, see
 * write-report.ts). `id` is the case's id in cases.ts (`suite/case`). The test does not say whether it passed:
 * the report takes the outcome from the test runner, so a failing assertion after this call shows as ❌ with
 * this observation and the failure, never as a missing row. Call it before the assertions, with what was seen
 * (optional chaining where a value may be missing), so a failure still has its observation.
 *
 * `expected` is only used for a case missing from cases.ts (it still gets a row, marked as unlisted).
 *
 * Printed always; appended as one JSON line to $RELIABILITY_OUT when the report is being collected (that does
 * not depend on how the runner shows console output). Usable from any test file, not only test/reliability.
 */
export function observe(id: string, observed: string, expected?: string): void {
  const state = expect.getState();
  const record = { id, observed: observed.replace(/\s*\n\s*/g, ' '), ...(expected ? { expected } : {}), test: state.currentTestName ?? '', file: state.testPath ?? '' };
  console.log(`RELIABILITY ${id}: ${record.observed}`);
  const out = process.env.RELIABILITY_OUT;
  if (out) appendFileSync(out, `${JSON.stringify(record)}\n`);
}
