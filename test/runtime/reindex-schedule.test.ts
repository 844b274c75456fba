/**
 * Two real processes share one real Chroma server and run the same schedule (every second): each scheduled
 * run happens exactly once, in whichever process won its lease.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromaServer, type ChromaServerHandle } from '../../src/stores/chroma-supervisor.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'docent-schedule-'));
let chroma: ChromaServerHandle;
const children: ChildProcess[] = [];

beforeAll(async () => {
  chroma = await startChromaServer({ dataDir: work, logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await chroma.stop();
  rmSync(work, { recursive: true, force: true });
});

function replica(name: string, out: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'schedule-replica.ts'), chroma.url, out, name], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`replica ${name} exited with ${code}`)));
  });
}

describe('scheduled reindex across replicas', () => {
  it('runs each scheduled slot once across two processes', async () => {
    const out = path.join(work, 'runs.log');
    await Promise.all([replica('a', out), replica('b', out)]);
    await new Promise((r) => setTimeout(r, 5_500));
    for (const c of children) c.kill('SIGKILL');
    expect(existsSync(out)).toBe(true);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const perSecond = new Map<string, number>();
    for (const l of lines) {
      const second = l.split(' ')[1]!;
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    expect(perSecond.size).toBeGreaterThanOrEqual(3);
    expect([...perSecond.values()].every((n) => n === 1), lines.join('\n')).toBe(true);
  });
});
