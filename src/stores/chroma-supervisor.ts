/**
 * Runs the Chroma server that ships with the chromadb npm package (`chroma run`) as a child process, waits
 * until it answers, restarts it with backoff when it dies, and makes sure it never outlives Docent.
 *
 * Facts about that server (chromadb 3.5 with the 1.0.5 native binding) that shape this file:
 * - a busy port is not an exit code: it prints "Address … is not available" and exits 0;
 * - while serving, the native call blocks the child's JS event loop, so a watchdog has to live in a worker
 *   thread; we inject one with `--import` that kills the server when its parent process disappears
 *   (a SIGKILLed Docent cannot clean up after itself);
 * - SIGTERM ends it at once (SQLite keeps the data consistent).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, ProviderError } from '../core/errors.js';

export interface ChromaServerOptions {
  /** Docent's data dir; Chroma's files go in `<dataDir>/chroma`. */
  dataDir: string;
  /** 0 or undefined picks a free port. */
  port?: number;
  host?: string;
  logger: Logger;
  /** Restart the server when it dies unexpectedly (default true). */
  restartOnExit?: boolean;
  /** How long to wait for the first heartbeat (default 30 s). */
  startTimeoutMs?: number;
  /** Give up after this many failures in a row that each came within `rapidFailureMs` of a start (default 5). */
  maxRapidFailures?: number;
  rapidFailureMs?: number;
  /** The `chroma` CLI script to run (default: the one in the chromadb package); tests pass a stand-in. */
  cliPath?: string;
}

export interface ChromaServerHandle {
  readonly url: string;
  readonly port: number;
  /** Pid of the current server process (changes after a restart; undefined once stopped). */
  readonly pid: number | undefined;
  /** How many times the server was restarted after dying. */
  readonly restarts: number;
  /** First start: milliseconds from spawn to the first heartbeat, and resident memory then (kB, Linux only). */
  readonly startup: { ms: number; rssKb: number | undefined };
  stop(): Promise<void>;
}

const TAIL_LINES = 30;
// Kills the server once its parent is gone: runs in a worker thread because the server blocks the main one.
const WATCHDOG =
  "import{Worker}from'node:worker_threads';new Worker(\"const p=process.ppid;setInterval(()=>{if(process.ppid!==p)" +
  "process.kill(process.pid,'SIGKILL')},500)\",{eval:true}).unref();";

/** Path of the chromadb CLI, found through module resolution (the package exports no package.json). */
export function resolveChromaCli(): string {
  const entry = createRequire(import.meta.url).resolve('chromadb');
  const distIndex = entry.lastIndexOf(`${path.sep}dist${path.sep}`);
  const cli = path.join(distIndex >= 0 ? entry.slice(0, distIndex) : path.dirname(entry), 'dist', 'cli.mjs');
  if (!existsSync(cli)) {
    throw new ProviderError('chroma', `the chromadb CLI was not found at ${cli}.`, {
      hint: 'Reinstall dependencies (npm ci), or set CHROMA_URL to a running Chroma server.',
    });
  }
  return cli;
}

/** Asks the OS for a free port on `host`. */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function assertPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${err.code ?? err.message})`;
      reject(
        new ProviderError('chroma', `port ${port} on ${host} ${why}, so the local Chroma server cannot start.`, {
          cause: err,
          hint: 'Stop whatever holds the port, choose another port (0 picks a free one), or set CHROMA_URL to a running server.',
        }),
      );
    });
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}

function readRssKb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+)\s*kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined; // not Linux, or already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ANSI = /\u001b\[[0-9;]*m/g;

export async function startChromaServer(opts: ChromaServerOptions): Promise<ChromaServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  const requested = opts.port ?? 0;
  if (!Number.isInteger(requested) || requested < 0 || requested > 65535) {
    throw new ConfigError('chroma.port', `${String(requested)} is not a TCP port.`, 'Use 1–65535, or 0 for a free port.');
  }
  const log = opts.logger.child({ component: 'chroma-server' });
  const cli = opts.cliPath ?? resolveChromaCli();
  const dir = path.resolve(opts.dataDir, 'chroma');
  mkdirSync(dir, { recursive: true });
  const port = requested === 0 ? await findFreePort(host) : requested;
  await assertPortFree(host, port);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const maxRapid = opts.maxRapidFailures ?? 5;
  const rapidMs = opts.rapidFailureMs ?? 10_000;

  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let rapidFailures = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let launching: ChildProcess | undefined; // spawned, not yet answering: stop() must kill it too
  const tail: string[] = [];

  const onOutput = (stream: 'stdout' | 'stderr') => (buf: Buffer) => {
    for (const raw of buf.toString('utf8').split('\n')) {
      const line = raw.replace(ANSI, '').trimEnd();
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      log.debug({ stream }, line);
    }
  };
  const tailText = () => (tail.length ? `\n--- last server output ---\n${tail.join('\n')}` : ' (the server printed nothing)');

  /** Spawns the server and resolves once it answers a heartbeat; rejects (after killing it) otherwise. */
  const launch = async (): Promise<{ proc: ChildProcess; ms: number }> => {
    const t0 = performance.now();
    tail.length = 0; // report only this run's output
    const args = ['--import', `data:text/javascript,${encodeURIComponent(WATCHDOG)}`, cli, 'run'];
    args.push('--path', dir, '--host', host, '--port', String(port));
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    launching = proc;
    proc.stdout?.on('data', onOutput('stdout'));
    proc.stderr?.on('data', onOutput('stderr'));
    let exited: string | undefined;
    // 'close' (not 'exit') so that the last lines of output are in `tail` when we report.
    proc.once('close', (code, signal) => (exited = signal ? `was killed by ${signal}` : `exited with code ${code}`));
    proc.once('error', (err) => (exited = `could not be spawned (${err.message})`));
    const deadline = Date.now() + timeoutMs;
    while (exited === undefined && !stopping && Date.now() < deadline) {
      try {
        const res = await fetch(`${url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(1000) });
        if (res.ok && !stopping) {
          launching = undefined;
          return { proc, ms: performance.now() - t0 };
        }
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    launching = undefined;
    const why = exited ?? (stopping ? 'was stopped while starting' : `did not answer ${url}/api/v2/heartbeat within ${timeoutMs} ms`);
    const timedOut = exited === undefined;
    await killAndWait(proc);
    throw new ProviderError('chroma', `the local Chroma server (${dir}) ${why}.${tailText()}`, {
      transient: timedOut,
      hint: 'Check the output above; another Chroma may be using the data dir, or set CHROMA_URL to a running server.',
    });
  };

  const watch = (proc: ChildProcess, startedAt: number) => {
    proc.once('exit', (code, signal) => {
      if (stopping || proc !== child) return;
      child = undefined;
      if (opts.restartOnExit === false) {
        log.warn({ code, signal, tail }, 'Chroma server exited; restartOnExit is off');
        return;
      }
      rapidFailures = Date.now() - startedAt < rapidMs ? rapidFailures + 1 : 1;
      if (rapidFailures > maxRapid) {
        log.error({ code, signal, tail, rapidFailures }, 'Chroma server keeps dying; giving up on restarts');
        return;
      }
      const delay = Math.min(200 * 2 ** (rapidFailures - 1), 5000);
      log.warn({ code, signal, delayMs: delay, attempt: rapidFailures }, 'Chroma server died unexpectedly; restarting');
      restartTimer = setTimeout(() => void restart(), delay);
    });
  };

  const restart = async () => {
    restartTimer = undefined;
    if (stopping) return;
    const startedAt = Date.now();
    try {
      const { proc } = await launch();
      if (stopping) return void (await killAndWait(proc));
      child = proc;
      restarts++;
      watch(proc, startedAt);
      log.info({ pid: proc.pid, restarts }, 'Chroma server restarted');
    } catch (err) {
      if (stopping) return;
      rapidFailures++;
      if (rapidFailures > maxRapid) {
        log.error({ err }, 'Chroma server could not be restarted; giving up');
        return;
      }
      const delay = Math.min(200 * 2 ** (rapidFailures - 1), 5000);
      log.warn({ err, delayMs: delay }, 'Chroma server restart failed; retrying');
      restartTimer = setTimeout(() => void restart(), delay);
    }
  };

  const startedAt = Date.now();
  const first = await launch();
  child = first.proc;
  watch(first.proc, startedAt);
  const startup = { ms: Math.round(first.ms), rssKb: readRssKb(first.proc.pid) };
  log.debug({ url, pid: first.proc.pid, startMs: startup.ms, rssKb: startup.rssKb, dir }, 'Chroma server started');

  // Never leave the server behind when the process exits without stop(): the 'exit' hook can only do
  // synchronous work, and sending SIGTERM is (the server ends at once on it, SQLite consistent). Signals are not
  // ours to handle: the composition root decides what SIGINT/SIGTERM do (src/cli/signals.ts) and exits, which
  // runs this hook; a process killed outright is covered by the watchdog inside the server.
  const onExit = () => child?.kill('SIGTERM');
  process.on('exit', onExit);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      process.off('exit', onExit);
      const procs = [child, launching].filter((p): p is ChildProcess => p !== undefined);
      child = undefined;
      await Promise.all(procs.map((p) => killAndWait(p)));
      log.debug('Chroma server stopped');
    })();
    return stopped;
  };

  return {
    url,
    port,
    get pid() {
      return child?.pid;
    },
    get restarts() {
      return restarts;
    },
    startup,
    stop,
  };
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
async function killAndWait(proc: ChildProcess, graceMs = 3000): Promise<void> {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
