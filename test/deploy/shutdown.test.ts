/** The graceful-shutdown helper against a stand-in process: signal → steps → exit guarantees. */
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGracefulShutdown, type ShutdownProcess } from '../../src/runtime/shutdown.js';

function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  const proc: ShutdownProcess = {
    on: (e, l) => emitter.on(e, l),
    off: (e, l) => emitter.off(e, l),
    exit: (code) => void exits.push(code),
  };
  return { proc, exits, emit: (s: NodeJS.Signals) => emitter.emit(s, s), listeners: (s: NodeJS.Signals) => emitter.listenerCount(s) };
}
const logger = pino({ level: 'silent' });
afterEach(() => vi.useRealTimers());

describe('createGracefulShutdown', () => {
  it('resolves on the first signal, runs the steps in order (a group concurrently), then removes its listeners', async () => {
    const p = fakeProcess();
    const sd = createGracefulShutdown({ logger, proc: p.proc });
    expect(p.listeners('SIGTERM')).toBe(1);
    expect(sd.shuttingDown).toBe(false);
    p.emit('SIGTERM');
    await expect(sd.signalled).resolves.toBe('SIGTERM');
    expect(sd.shuttingDown).toBe(true);
    const order: string[] = [];
    const step = (name: string, ms: number) => ({ name, stop: () => new Promise<void>((r) => setTimeout(() => (order.push(name), r()), ms)) });
    expect(await sd.run([[step('Discord', 30), step('Slack', 5)], step('runtime', 1)])).toBe(true);
    expect(order).toEqual(['Slack', 'Discord', 'runtime']);
    expect(p.listeners('SIGTERM') + p.listeners('SIGINT')).toBe(0);
    expect(p.exits).toEqual([]);
  });

  it('keeps going after a failing step and reports it', async () => {
    const p = fakeProcess();
    const sd = createGracefulShutdown({ logger, proc: p.proc });
    const ran: string[] = [];
    const ok = await sd.run([{ name: 'Slack', stop: () => Promise.reject(new Error('boom')) }, { name: 'runtime', stop: async () => void ran.push('runtime') }]);
    expect(ok).toBe(false);
    expect(ran).toEqual(['runtime']);
  });

  it('a second signal exits at once', () => {
    const p = fakeProcess();
    createGracefulShutdown({ logger, proc: p.proc });
    p.emit('SIGINT');
    expect(p.exits).toEqual([]);
    p.emit('SIGINT');
    expect(p.exits).toEqual([1]);
  });

  it('exits 1 when cleanup outlasts the hard timer, naming what still ran', async () => {
    vi.useFakeTimers();
    const p = fakeProcess();
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    const sd = createGracefulShutdown({ logger: log, proc: p.proc, timeoutMs: 10_000 });
    p.emit('SIGTERM');
    void sd.run([{ name: 'Slack', stop: () => new Promise(() => {}) }]);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(p.exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(p.exits).toEqual([1]);
    expect(lines.find((l) => l.msg === 'shutdown took too long; exiting anyway')?.stillRunning).toEqual(['Slack']);
    // Listeners stay while cleanup has not ended (the Chroma supervisor would re-raise the signal otherwise).
    expect(p.listeners('SIGTERM')).toBe(1);
  });

  it('dispose removes the listeners without exiting', () => {
    const p = fakeProcess();
    createGracefulShutdown({ logger, proc: p.proc }).dispose();
    expect(p.listeners('SIGTERM') + p.listeners('SIGINT')).toBe(0);
  });
});
