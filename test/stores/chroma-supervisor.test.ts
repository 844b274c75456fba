import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ProviderError } from '../../src/core/errors.js';
import { createChromaStoreFactory } from '../../src/stores/chroma-store.js';
import { startChromaServer, type ChromaServerHandle } from '../../src/stores/chroma-supervisor.js';
import { axis, makeChunk } from './vector-store-contract.js';

const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '../..');
let tmp: string;
const handles: ChromaServerHandle[] = [];

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'docent-chroma-sup-'));
});
afterAll(async () => {
  await Promise.all(handles.map((h) => h.stop()));
  rmSync(tmp, { recursive: true, force: true });
});

const dir = (name: string) => path.join(tmp, name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Whether the process still runs. A zombie does not: a server whose parent has exited is re-parented to pid 1,
 * which here reaps it only after ~1 s, and `kill(pid, 0)` succeeds on a zombie.
 */
function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Pids of every process whose command line mentions `dataDir` (Linux /proc; empty elsewhere). */
function pidsUsing(dataDir: string): number[] {
  if (process.platform !== 'linux') return [];
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(dataDir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(50);
  }
}

async function heartbeat(url: string): Promise<boolean> {
  return fetch(`${url}/api/v2/heartbeat`).then((r) => r.ok, () => false);
}

async function start(name: string, extra: Partial<Parameters<typeof startChromaServer>[0]> = {}) {
  const h = await startChromaServer({ dataDir: dir(name), logger, ...extra });
  handles.push(h);
  return h;
}

describe('startChromaServer', () => {
  it('starts a server under <dataDir>/chroma and reports start time and RSS', async () => {
    const h = await start('basic');
    expect(h.url).toBe(`http://127.0.0.1:${h.port}`);
    expect(await heartbeat(h.url)).toBe(true);
    expect(existsSync(path.join(dir('basic'), 'chroma', 'chroma.sqlite3'))).toBe(true);
    expect(h.startup.ms).toBeGreaterThan(0);
    if (process.platform === 'linux') expect(h.startup.rssKb).toBeGreaterThan(1000);
    console.info(`chroma server: started in ${h.startup.ms} ms, RSS ${h.startup.rssKb} kB`);
    await h.stop();
  });

  it('restarts the server after it is killed, on the same URL, with the data intact', async () => {
    const h = await start('restart');
    const factory = await createChromaStoreFactory({ url: h.url });
    const store = await factory.open('survivor', { embedderId: 'e', dimension: 8 });
    await store.upsert([makeChunk('k1'), makeChunk('k2')], [axis(0), axis(1)]);
    const firstPid = h.pid;
    process.kill(firstPid!, 'SIGKILL');
    await waitFor(() => h.restarts === 1 && h.pid !== firstPid);
    expect(await heartbeat(h.url)).toBe(true);
    expect(alive(firstPid)).toBe(false);
    expect(await store.count()).toBe(2);
    await h.stop();
  });

  it('stop() leaves no process behind and frees the port', async () => {
    const h = await start('stop');
    const pid = h.pid;
    expect(alive(pid)).toBe(true);
    await h.stop();
    expect(alive(pid)).toBe(false);
    expect(h.pid).toBeUndefined();
    expect(await heartbeat(h.url)).toBe(false);
    expect(pidsUsing(dir('stop'))).toEqual([]);
    await h.stop(); // idempotent
    const again = await start('stop', { port: h.port }); // same port and data dir are usable again
    await again.stop();
  });

  it('stop() during a restart also kills the server that is still starting', async () => {
    const h = await start('stop-restart');
    process.kill(h.pid!, 'SIGKILL');
    await sleep(300); // the restart (after 200 ms backoff) is spawning now
    await h.stop();
    await sleep(300);
    expect(pidsUsing(dir('stop-restart'))).toEqual([]);
    expect(await heartbeat(h.url)).toBe(false);
  });

  it('fails clearly on a busy port and on a port that is not a port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const err = await start('busy', { port }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as Error).message).toMatch(new RegExp(`port ${port} on 127.0.0.1 is already in use`));
    } finally {
      blocker.close();
    }
    await expect(start('badport', { port: 70_000 })).rejects.toBeInstanceOf(ConfigError);
    await expect(start('badport', { port: -1 })).rejects.toBeInstanceOf(ConfigError);
  });

  it('reports a server that exits during start-up with its last output', async () => {
    const cli = path.join(tmp, 'dying-cli.mjs');
    writeFileSync(cli, "console.error('boom: cannot open database'); process.exit(3);\n");
    const err = await start('dying', { cliPath: cli }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toMatch(/exited with code 3[\s\S]*boom: cannot open database/);
  });

  it('reports a start-up timeout', async () => {
    const cli = path.join(tmp, 'silent-cli.mjs');
    writeFileSync(cli, "console.log('thinking…'); setInterval(() => {}, 1000);\n");
    const err = await start('slow', { cliPath: cli, startTimeoutMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toMatch(/did not answer .*heartbeat within 500 ms[\s\S]*thinking/);
  });

  it('gives up restarting after repeated rapid failures', async () => {
    // Answers heartbeats, then dies after 300 ms, every time.
    const cli = path.join(tmp, 'flaky-cli.mjs');
    writeFileSync(
      cli,
      "import http from 'node:http'; const a = process.argv; const port = Number(a[a.indexOf('--port') + 1]);\n" +
        "http.createServer((q, s) => s.end('{}')).listen(port, '127.0.0.1'); setTimeout(() => process.exit(1), 300);\n",
    );
    const h = await start('flaky', { cliPath: cli, maxRapidFailures: 2 });
    await waitFor(() => h.restarts === 2 && h.pid === undefined);
    await sleep(1500);
    expect(h.restarts).toBe(2); // no further attempts
    expect(await heartbeat(h.url)).toBe(false);
  });
});

describe('no orphaned server when the owning process ends', () => {
  const runChild = async (dataDir: string) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'supervisor-child.ts'), dataDir], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    return { child, server: JSON.parse(line) as { pid: number; url: string } };
  };

  it('a SIGTERM to a docent command exits it with 143 and stops the server (the exit hook, not the watchdog)', async () => {
    const { child, server } = await runChild(dir('sigterm'));
    expect(await heartbeat(server.url)).toBe(true);
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    child.kill('SIGTERM');
    expect(await exited).toBe(143); // 128 + 15: the CLI's signal policy, src/cli/signals.ts
    // The exit hook's SIGTERM ends the server at once; the watchdog polls its parent and would take longer.
    await waitFor(() => !alive(server.pid), 1500);
  });

  it('a Ctrl-C (SIGINT) exits with 130 and stops the server', async () => {
    const { child, server } = await runChild(dir('sigint'));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    await waitFor(() => !alive(server.pid), 1500);
  });

  it('installs no signal handler of its own: signals belong to the composition root', async () => {
    const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
    const h = await startChromaServer({ dataDir: dir('no-signals'), logger });
    try {
      expect({ int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') }).toEqual(before);
    } finally {
      await h.stop();
    }
  });

  it('the server kills itself when its parent is SIGKILLed (watchdog)', async () => {
    const { child, server } = await runChild(dir('sigkill'));
    child.kill('SIGKILL');
    await waitFor(() => !alive(server.pid), 5000);
    expect(await heartbeat(server.url)).toBe(false);
  });
});
