/**
 * Order statistics for benchmarks. Every figure in BENCHMARKS.md is a median over repeated runs with its
 * spread (min–max), and every speed sits beside a baseline measured in the same run: on a shared 2-core
 * machine absolute times move with the neighbours' load, ratios much less.
 */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** The median of one figure over repeated runs, and how far the runs spread. */
export interface Spread { median: number; min: number; max: number; runs: number }

export function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length };
}

/** One percentile computed per run (each run a list of samples), then summarised across the runs. */
export function percentileAcrossRuns(runs: number[][], p: number): Spread {
  return spread(runs.map((r) => percentile(r, p)));
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** "28.5 ms (27.9–29.8)": the median, then the spread over the runs; a single run shows no spread. */
export function show(s: Spread, unit = '', digits = 1): string {
  const u = unit ? ` ${unit}` : '';
  if (s.runs < 2 || s.min === s.max) return `${fixed(s.median, digits)}${u}`;
  return `${fixed(s.median, digits)}${u} (${fixed(s.min, digits)}–${fixed(s.max, digits)})`;
}

/** A ratio to a baseline, e.g. "3.2×". Ratios are computed from medians measured in the same run. */
export function times(value: number, baseline: number, digits = 1): string {
  return baseline > 0 && Number.isFinite(value) ? `${(value / baseline).toFixed(digits)}×` : '–';
}

/** True under `npm run bench -- --quick` (and `npm run bench --quick`, which npm passes as npm_config_quick). */
export function quickMode(): boolean {
  return process.env.DOCENT_BENCH_QUICK === '1';
}

/** How many times to repeat a measurement: fewer in quick mode, never fewer than 3 (a median needs a spread). */
export function repetitions(full: number, quick = 3): number {
  return quickMode() ? quick : full;
}

/** Runs `fn` `n` times in sequence and returns each run's result. */
export async function repeat<T>(n: number, fn: (run: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await fn(i));
  return out;
}
