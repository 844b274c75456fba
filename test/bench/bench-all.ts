/**
 * `npm run bench [-- --quick]`: every benchmark in one run, on this machine, written to BENCHMARKS.md with the
 * machine and the date. Each part runs in its own process (so one part's heap cannot colour the next part's
 * memory figures) and prints Markdown tables; this collects them. --quick (DOCENT_BENCH_QUICK=1) shortens load,
 * repetition and the synthetic catalog (and skips the eval's not-found gate) for a run under two minutes; the committed BENCHMARKS.md is a full run.
 * `npm run bench --quick` (without the `--`) reaches us as npm_config_quick, so both spellings work.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './repo-root.js';

const quick = process.argv.includes('--quick') || process.env.npm_config_quick === 'true' || process.env.DOCENT_BENCH_QUICK === '1';
const started = performance.now();
const repo = repoRoot(import.meta.dirname);
const dist = path.join(repo, 'dist/test');
if (!existsSync(path.resolve(repo, '../shared/catalogs/usfs'))) {
  console.error('npm run bench needs ../shared (the USFS catalogs and the PDFs) beside the repository.');
  process.exit(1);
}

const parts: Array<{ title: string; script: string; args?: string[] }> = [
  { title: 'Indexing, reindexing, search and memory', script: 'bench/run-bench.js' },
  { title: `Search at ${quick ? '3,000' : '100,000'} synthetic chunks`, script: 'bench/scale-bench.js' },
  { title: `Keyword search at ${quick ? '20,000' : '200,000'} synthetic records`, script: 'bench/keyword-scale-bench.js' },
  { title: 'Retrieval quality (`npm run eval`)', script: 'eval/run-eval.js' },
  { title: 'Answer pipeline', script: 'bench/answer-bench.js' },
  { title: 'Discord (loopback fake)', script: 'bench/discord-bench.js' },
  { title: 'Event loop during a reindex', script: 'bench/reindex-lag-bench.js' },
  { title: 'Slack (loopback fake)', script: 'bench/slack-bench.js' },
  { title: 'Serving: cold start and memory', script: 'bench/serve-bench.js' },
];

const sections: string[] = [];
let failed = 0;
for (const part of parts) {
  const t0 = performance.now();
  process.stderr.write(`bench: ${part.title}…\n`);
  const r = spawnSync(process.execPath, ['--enable-source-maps', path.join(dist, part.script), ...(part.args ?? [])], {
    cwd: repo, encoding: 'utf8', maxBuffer: 2 ** 28,
    env: { ...process.env, LOG_LEVEL: 'warn', ...(quick ? { DOCENT_BENCH_QUICK: '1' } : {}) },
  });
  const seconds = ((performance.now() - t0) / 1000).toFixed(0);
  // Keep the tables and the prose lines around them; drop JSON log lines.
  const body = r.stdout.split('\n').filter((l) => !l.startsWith('{')).join('\n').trim();
  if (r.status !== 0) {
    failed++;
    sections.push(`## ${part.title}\n\nFailed (exit ${r.status}) after ${seconds} s:\n\n\`\`\`\n${r.stderr.split('\n').slice(-15).join('\n')}\n\`\`\``);
  } else {
    sections.push(`## ${part.title}\n\n${body}\n\n_(${seconds} s)_`);
  }
  process.stdout.write(`${body}\n\n`);
}

const mem = (os.totalmem() / 2 ** 30).toFixed(0);
const doc = [
  '# Benchmarks',
  '',
  `Written by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC —`,
  `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${mem} GB memory, Node ${process.version}, ${quick ? 'quick' : 'full'} mode.`,
  'Every figure below was measured in this one run. A figure is the median over its repeated runs with the spread in',
  'brackets (min–max); speeds sit beside a baseline measured in the same run, with the ratio — absolute times move',
  'with the machine\'s load, ratios much less. Loopback fakes stand in for Discord, Slack and the LLM.',
  '',
  ...sections.flatMap((s) => [s, '']),
].join('\n');
writeFileSync(path.join(repo, 'BENCHMARKS.md'), `${doc}\n_Whole run: ${((performance.now() - started) / 1000).toFixed(0)} s, plus the build._\n`);
console.log(`BENCHMARKS.md written (${parts.length - failed}/${parts.length} parts succeeded) in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
process.exitCode = failed ? 1 : 0;
