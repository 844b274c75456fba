/**
 * `npm run reliability`: runs every test file named in cases.ts plus all of test/reliability, then writes
 * RELIABILITY.md from that run only. Each row's result is the runner's verdict on its test (vitest's JSON
 * report): ✅ when it passed; ❌ with the failure's first line when it failed, and ❌ too when it was skipped,
 * did not run, or no longer exists. "Observed" is what the test recorded with observe() before asserting.
 * Nothing in the table is typed by hand, and nothing a run did not show can appear as a pass.
 *
 *   npm run reliability                       # full run, writes RELIABILITY.md, exit 1 when any row is ❌
 *   npm run reliability -- test/server/...    # only those files' rows, printed (RELIABILITY.md untouched)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CASES } from './cases.js';

const repo = path.resolve(import.meta.dirname, '../..');

interface TestResult {
  title: string;
  fullName: string;
  status: string;
  failureMessages?: string[];
  duration?: number;
}
interface FileResult {
  name: string;
  status: string;
  message?: string;
  assertionResults: TestResult[];
}
interface Observation {
  id: string;
  observed: string;
  expected?: string;
  test: string;
  file: string;
}
interface Row {
  id: string;
  expected: string;
  observed: string;
  ok: boolean;
  result: string;
}

const only = process.argv.slice(2).map((f) => path.relative(repo, path.resolve(f)));
const reliabilityFiles = readdirSync(path.join(repo, 'test/reliability')).filter((f) => f.endsWith('.test.ts')).map((f) => `test/reliability/${f}`);
const allFiles = [...new Set([...CASES.map(([, , file]) => file), ...reliabilityFiles])];
const files = only.length ? allFiles.filter((f) => only.includes(f)) : allFiles;
if (files.length === 0) {
  console.error(`none of ${only.join(', ')} is named in test/reliability/cases.ts or lives in test/reliability`);
  process.exit(2);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'docent-reliability-'));
const observationsFile = path.join(tmp, 'observations.jsonl');
const jsonFile = path.join(tmp, 'vitest.json');
const run = spawnSync(
  process.execPath,
  [path.join(repo, 'node_modules/vitest/vitest.mjs'), 'run', ...files, '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`],
  { cwd: repo, stdio: 'inherit', env: { ...process.env, RELIABILITY_OUT: observationsFile } },
);

const byFile = new Map<string, FileResult>();
let runError = '';
if (existsSync(jsonFile)) {
  const report = JSON.parse(readFileSync(jsonFile, 'utf8')) as { testResults: FileResult[] };
  for (const f of report.testResults) byFile.set(path.relative(repo, f.name), f);
} else {
  runError = `vitest wrote no results (exit ${run.status ?? run.signal}${run.error ? `: ${run.error.message}` : ''})`;
}
const observations: Observation[] = existsSync(observationsFile)
  ? readFileSync(observationsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Observation)
  : [];
rmSync(tmp, { recursive: true, force: true });

/** Observed text per case id (a case observed more than once, e.g. a retried test, keeps every distinct text). */
const observed = new Map<string, string[]>();
for (const o of observations) {
  const list = observed.get(o.id) ?? [];
  if (!list.includes(o.observed)) list.push(o.observed);
  observed.set(o.id, list);
}

/** One line of a failure: the assertion message without colours or stack. */
function firstLine(message: string | undefined): string {
  const text = (message ?? '').replace(/\u001b\[[0-9;]*m/g, '');
  return (text.split('\n').find((l) => l.trim()) ?? 'failed').trim().slice(0, 240);
}

/** The runner's verdict on one test, found by title or full name in its file. */
function verdict(file: string, test: string): { ok: boolean; result: string; ms?: number } {
  if (runError) return { ok: false, result: `❌ not run: ${runError}` };
  const f = byFile.get(file);
  if (!f) return { ok: false, result: `❌ not run: ${file} was not in the run` };
  const matches = f.assertionResults.filter((t) => t.title === test || t.fullName === test);
  if (matches.length === 0) {
    return { ok: false, result: f.message ? `❌ file failed: ${firstLine(f.message)}` : `❌ no test "${test}" in ${file}` };
  }
  if (matches.length > 1) return { ok: false, result: `❌ ${matches.length} tests are titled "${test}" in ${file}; name it by its full name` };
  const t = matches[0]!;
  used.add(t);
  if (t.status === 'passed') return { ok: true, result: '✅ pass', ...(t.duration !== undefined ? { ms: t.duration } : {}) };
  if (t.status === 'failed') return { ok: false, result: `❌ fail: ${firstLine(t.failureMessages?.[0])}` };
  return { ok: false, result: `❌ ${t.status}: the test did not run` };
}

/** Tests some row was decided by (the rest of the run is summarised below the table). */
const used = new Set<TestResult>();
const rows: Row[] = [];
const listed = new Set<string>();
for (const [id, expected, file, test] of CASES) {
  listed.add(id);
  if (!files.includes(file)) continue;
  const { ms, ...v } = verdict(file, test);
  const silent = v.ok ? `(the test's assertions held${ms !== undefined ? `, ${Math.round(ms)} ms` : ''}; it records no detail)` : '—';
  rows.push({ id, expected, observed: observed.get(id)?.join(' / ') ?? silent, ...v });
}
// Recorded but not listed: still shown, with the outcome of the test that recorded it.
for (const o of observations) {
  if (listed.has(o.id)) continue;
  listed.add(o.id);
  const file = path.relative(repo, path.resolve(repo, o.file));
  const { ms: _ms, ...v } = verdict(file, o.test.replace(/ > /g, ' '));
  rows.push({ id: o.id, expected: `${o.expected ?? '—'} (not in cases.ts)`, observed: observed.get(o.id)!.join(' / '), ...v });
}

/** A table cell: one line, no column breaks, no HTML (a `<!channel>` would start a comment). */
const cell = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\|/g, '\\|').trim();
const failed = rows.filter((r) => !r.ok);
const totals = [...byFile.values()].flatMap((f) => f.assertionResults).reduce<Record<string, number>>((acc, t) => ({ ...acc, [t.status]: (acc[t.status] ?? 0) + 1 }), {});
const vitestSummary = runError || Object.entries(totals).map(([k, n]) => `${n} ${k}`).join(', ');
const table = [
  '| suite | case | expected | observed | result |',
  '|---|---|---|---|---|',
  ...rows.map((r) => {
    const [suite, ...rest] = r.id.split('/');
    return `| ${cell(suite!)} | ${cell(rest.join('/'))} | ${cell(r.expected)} | ${cell(r.observed)} | ${cell(r.result)} |`;
  }),
];
const summary = `${rows.length} cases: ${rows.length - failed.length} ✅, ${failed.length} ❌. Tests in the ${files.length} files run: ${vitestSummary}.`;
// Failures in those files that no row names: not reliability cases, but the run was not clean, so say so.
const otherFailures = [...byFile.entries()].flatMap(([file, f]) => [
  ...(f.assertionResults.length === 0 && f.message ? [`- ${file}: ${cell(firstLine(f.message))}`] : []),
  ...f.assertionResults.filter((t) => t.status === 'failed' && !used.has(t)).map((t) => `- ${file} › ${cell(t.fullName)}: ${cell(firstLine(t.failureMessages?.[0]))}`),
]);
const others = otherFailures.length ? ['', 'Other tests in these files failed in this run (no row depends on them):', '', ...otherFailures] : [];

if (only.length) {
  console.log(`\n${[...table, ...others].join('\n')}\n\n${summary}\n(partial run: RELIABILITY.md not written)`);
} else {
  const lines = [
    '# Reliability report',
    '',
    `Generated by \`npm run reliability\` on ${new Date().toISOString().slice(0, 10)} (${os.cpus().length} cores, Node ${process.version}) from one run of`,
    'the test files listed in test/reliability/cases.ts. Each result is the test runner\'s verdict on that case\'s test;',
    '"observed" is what the test recorded before asserting. Nothing here is typed by hand: a failing, skipped or',
    'missing test shows as ❌ with the reason.',
    '',
    summary,
    '',
    ...table,
    ...others,
    '',
  ];
  writeFileSync(path.join(repo, 'RELIABILITY.md'), lines.join('\n'));
  console.log(`RELIABILITY.md: ${summary}`);
}
for (const r of failed) console.log(`❌ ${r.id}: ${r.result.replace(/^❌ /, '')}`);
process.exitCode = failed.length > 0 || run.status !== 0 ? 1 : 0;
