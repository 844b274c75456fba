/**
 * Parsing off the serving thread. Every loader run (pdf.js above all, but also a 50 MB XML or JSON feed) goes
 * to one worker thread, so the bot's event loop keeps acknowledging commands while a 10,000-page PDF parses,
 * and there it is bounded; a file over a bound is skipped with a reason that names the setting:
 *
 * - time: after `timeoutMs` the task is aborted, which terminates the thread (pdf.js cannot be interrupted
 *   any other way: it is CPU-bound JavaScript);
 * - memory: V8's heap limit for the thread (`resourceLimits`) stops runaway JavaScript objects, but not what
 *   lives outside the heap: pdf.js inflates a content stream into one ArrayBuffer, so a 600 KB flate bomb grows
 *   the process by gigabytes without touching the heap limit. A watchdog on this thread therefore samples the
 *   process RSS and terminates the worker once the process has grown by more than `maxMemoryMb` since the task
 *   began. RSS is per process, which is why tasks run one at a time (indexing is sequential anyway).
 *
 * The pool is piscina (maintained under the Node.js project): it starts the thread on demand, lets it exit when
 * idle (a bot between reindexes holds no pdf.js), replaces a thread that was terminated or ran out of memory,
 * passes `resourceLimits` through, and turns an AbortSignal into thread termination: the parts a hand-rolled
 * pool gets subtly wrong. tinypool, its slimmer fork, does the same but exists for test runners (and vitest 4
 * no longer brings it). What piscina cannot see is memory outside the heap, hence the watchdog here.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { parseMemoryReason, parseTimeReason } from './loader-limits.js';
import type { LoaderInput, ParseLimits } from './loaders/loader.js';
import { WARM_UP, type ParseResult, type ParseTask } from './parse-worker.js';

export type { ParseResult } from './parse-worker.js';

/**
 * From the TypeScript sources (tsx, vitest) the thread needs a small .mjs entry that registers tsx first; the
 * compiled build sits next to parse-worker.js. Both are found relative to this file, like config/ is.
 */
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER_FILE = fileURLToPath(FROM_SOURCES ? new URL('./parse-worker-tsx.mjs', import.meta.url) : new URL('./parse-worker.js', import.meta.url));

/**
 * A thread inherits the process's Node flags. Under the `tsx` command those include tsx's own --require and
 * --import, which half-apply in a thread and break the entry's own tsx registration: leave them out. V8's
 * per-process heap flags (`node --max-old-space-size=… bin/docent.js index`, as the 1M-chunk run needs) make
 * `new Worker` throw ERR_WORKER_INVALID_EXEC_ARGV, which skipped every file: a thread's heap is set through
 * `resourceLimits` instead.
 */
const PER_PROCESS_V8_FLAG = /^--(max[-_]old[-_]space[-_]size|max[-_]semi[-_]space[-_]size|max[-_]young[-_]generation[-_]size|stack[-_]size|title)(=|$)/;

export function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const isTsx = (s: string | undefined) => s !== undefined && /[\\/]tsx[\\/]/.test(s);
    if ((arg === '--require' || arg === '--import' || arg === '--loader') && isTsx(argv[i + 1])) i++;
    else if (!isTsx(arg) && !PER_PROCESS_V8_FLAG.test(arg)) out.push(arg);
  }
  return out;
}

/** RSS sampling period: fast enough that a bomb inflating at ~1 GB/s overshoots by tens of MB, not hundreds. */
const WATCH_MS = 20;
/** An idle thread (and pdf.js's ~50 MB) is released this long after the last parse. */
const IDLE_MS = 15_000;
const MB = 2 ** 20;
const WARM_UP_TASK: ParseTask = { loader: WARM_UP, input: { absPath: null, relPath: '', sourceRoot: '', bytes: new Uint8Array(0), mtime: null }, limits: { timeoutMs: 0, maxMemoryMb: 0, maxPdfPages: 0 } };

let pool: { piscina: Piscina<ParseTask, ParseResult>; maxMemoryMb: number } | undefined;
/** The tail of the task chain: tasks run strictly one after another (see the header). */
let tail: Promise<unknown> = Promise.resolve();

async function poolFor(maxMemoryMb: number): Promise<Piscina<ParseTask, ParseResult>> {
  if (pool?.maxMemoryMb === maxMemoryMb) return pool.piscina;
  // resourceLimits are fixed when a thread starts; a different limit needs a new pool.
  await discardPool();
  const piscina = new Piscina<ParseTask, ParseResult>({
    filename: WORKER_FILE,
    minThreads: 0,
    maxThreads: 1,
    idleTimeout: IDLE_MS,
    // pdf.js finishes its clean-up asynchronously; a thread parked in Atomics.wait between tasks would stall it.
    atomics: 'disabled',
    execArgv: workerExecArgv(),
    resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb },
  });
  pool = { piscina, maxMemoryMb };
  return piscina;
}

/** Terminates the thread and waits until it has exited, so its memory is back before the next file. */
async function discardPool(): Promise<void> {
  const old = pool;
  pool = undefined;
  await old?.piscina.destroy().catch(() => undefined);
}

/** Stops the parse thread; for tests and shutdown. An idle thread does not keep the process alive anyway. */
export async function closeParsePool(): Promise<void> {
  await tail.catch(() => undefined);
  await discardPool();
}

/**
 * The bytes as a Uint8Array that can be transferred (moved, not copied) to the thread. Node carves small
 * Buffers out of a shared pool; transferring one would detach the pool under everybody else, so those are copied.
 */
function transferable(bytes: Buffer): Uint8Array {
  const owns = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !(bytes.buffer instanceof SharedArrayBuffer);
  return owns ? bytes : new Uint8Array(bytes);
}

function failedReason(err: unknown): string {
  return `parser failed: ${err instanceof Error ? err.message : String(err)}`;
}

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

async function runTask(loader: string, input: LoaderInput, limits: ParseLimits): Promise<ParseResult> {
  const piscina = await poolFor(limits.maxMemoryMb);
  const bytes = transferable(input.bytes);
  const task: ParseTask = { loader, input: { ...input, bytes }, limits };
  const abort = new AbortController();
  let limitHit: string | null = null;
  const stop = (reason: string) => {
    if (limitHit) return;
    limitHit = reason;
    abort.abort(reason);
  };
  const timer = setTimeout(() => stop(parseTimeReason(limits.timeoutMs)), limits.timeoutMs);
  let watchdog: NodeJS.Timeout | undefined;
  let result: ParseResult;
  try {
    // Start the thread and load the parsers (tens of MB) before the memory baseline is taken: the limit is for
    // what this file costs, not for the thread it runs on. A thread that is already up answers in a millisecond.
    await piscina.run(WARM_UP_TASK, { signal: abort.signal });
    const baseline = process.memoryUsage.rss();
    watchdog = setInterval(() => {
      if (process.memoryUsage.rss() - baseline > limits.maxMemoryMb * MB) stop(parseMemoryReason(limits.maxMemoryMb));
    }, WATCH_MS);
    result = await piscina.run(task, { signal: abort.signal, transferList: [bytes.buffer as ArrayBuffer] });
  } catch (err) {
    clearInterval(watchdog);
    clearTimeout(timer);
    // Whatever stopped the thread, the next file gets a fresh one, started after this one's memory is back.
    await discardPool();
    if (limitHit) return { ok: false, reason: limitHit, skips: [] };
    if (errorCode(err) === 'ERR_WORKER_OUT_OF_MEMORY') return { ok: false, reason: parseMemoryReason(limits.maxMemoryMb), skips: [] };
    return { ok: false, reason: failedReason(err), skips: [] };
  } finally {
    clearInterval(watchdog);
    clearTimeout(timer);
  }
  return result;
}

/**
 * Runs the loader named by `loader` (registry.ts `loaderKey`) over `input` in the parse thread, within `limits`.
 * Never rejects: resolves with the documents and the partial skips the loader reported (one bad record in a
 * feed), or with why the whole input was unusable: the loader's own reason, or the limit it went over.
 * `input.bytes` may be detached (moved to the thread): the caller must not use it afterwards.
 */
export function parseInWorker(loader: string, input: LoaderInput, limits: ParseLimits): Promise<ParseResult> {
  const run = tail.then(() => runTask(loader, input, limits)).catch((err: unknown): ParseResult => ({ ok: false, reason: failedReason(err), skips: [] }));
  tail = run;
  return run;
}
