/**
 * Parsing runs in a worker thread within limits: a 600 MB flate bomb is skipped for memory with the process
 * staying under 1 GB, a PDF over the page limit is skipped before its pages are read, a parse over the time
 * limit is stopped, and while a 10,000-page PDF parses the event loop keeps answering. Every hostile file is
 * built on the fly in a temp folder. (The bomb test comes first: peak RSS is measured over the whole process.)
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';
import { runIndex } from '../../src/indexing/indexer.js';
import { DEFAULT_PARSE_LIMITS, DEFAULT_READ_TIMEOUT_MS, loaderLimits } from '../../src/indexing/loader-limits.js';
import type { ParseLimits } from '../../src/indexing/loaders/loader.js';
import { closeParsePool } from '../../src/indexing/parse-pool.js';
import { listSourceItems, loadSourceItem } from '../../src/indexing/sources.js';
import { createHashEmbedder } from '../../src/providers/embedders/hash-embedder.js';
import { createMemoryStoreFactory } from '../../src/stores/memory-store.js';
import { flateBombPdf, makeFifo, manyPagePdf } from './hostile-files.js';
import { collectingContext, textPdf, tmpFolder } from './loaders/helpers.js';

const MB = 2 ** 20;
/** The event loop should stall < ~100 ms; the bound is generous because this machine is shared and busy. */
const MAX_LAG_MS = 750;

/** Samples what the event loop and the process do while `fn` runs: worst stall, acks sent, peak RSS. */
async function observe<T>(fn: () => Promise<T>): Promise<{ value: T; maxLagMs: number; acks: number; peakRssMb: number; ms: number }> {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  let acks = 0;
  let peak = process.memoryUsage.rss();
  // A bot's "acknowledge within 3 s" work, modelled as a tick every 25 ms; the RSS sample rides along.
  const heartbeat = setInterval(() => {
    acks++;
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 25);
  const started = performance.now();
  lag.enable();
  try {
    const value = await fn();
    return { value, maxLagMs: lag.max / 1e6, acks, peakRssMb: peak / MB, ms: performance.now() - started };
  } finally {
    lag.disable();
    clearInterval(heartbeat);
  }
}

afterAll(() => closeParsePool());

describe('a source folder holding links out, a named pipe and a 600 MB flate bomb', () => {
  let base: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir: base, cleanup } = await tmpFolder('docent-bomb-'));
  });
  afterAll(() => cleanup());

  it('indexes what is inside with peak RSS under 1 GB, and says why the rest was skipped', async () => {
    const docs = path.join(base, 'docs');
    await mkdir(path.join(base, 'outside'), { recursive: true });
    await mkdir(docs);
    await writeFile(path.join(base, 'outside', 'leak.md'), '# Leak\n\nOUTSIDE FOLDER beta');
    await writeFile(path.join(base, 'secret.md'), '# Secret\n\nOUTSIDE SECRET alpha');
    await writeFile(path.join(docs, 'guide.md'), '# Guide\n\nGauges record water level every 15 minutes.');
    await writeFile(path.join(docs, 'manual.pdf'), textPdf(['Installing a temperature logger', 'Replacing batteries in winter']));
    await writeFile(path.join(docs, 'bomb.pdf'), await flateBombPdf(600));
    await symlink(path.join(base, 'secret.md'), path.join(docs, 'secret.md'));
    await symlink(path.join(base, 'outside'), path.join(docs, 'outside'));
    const fifo = makeFifo(path.join(docs, 'pipe.md'));

    const { value: summary, maxLagMs, peakRssMb } = await observe(() =>
      runIndex({
        dataDir: path.join(base, 'data'), sources: [docs], stores: createMemoryStoreFactory(), logger: pino({ level: 'silent' }),
        chunking: { size: 600, overlap: 60, recordSize: 2000 },
        // The configured defaults, as the bot runs them (50 MB files, 512 MB parse memory).
        loader: { maxFileBytes: 50 * MB, fetchTimeoutMs: 2000 },
        embedder: createHashEmbedder(64), batchSize: 16,
      }),
    );
    const maxRssMb = process.resourceUsage().maxRSS / 1024; // kilobytes: the kernel's peak for the whole process
    console.info(`600 MB flate bomb: peak RSS ${peakRssMb.toFixed(0)} MB sampled, ${maxRssMb.toFixed(0)} MB kernel max; max event-loop lag ${maxLagMs.toFixed(0)} ms`);

    expect(summary.documents).toBe(3); // guide.md and the two pages of manual.pdf
    const reasons = Object.fromEntries(summary.skipped.map((s) => [path.relative(docs, s.location), s.reason]));
    expect(reasons).toEqual({
      'bomb.pdf': expect.stringMatching(/^parsing needed more than the 512 MB memory limit \(LOADER_PARSE_MAX_MEMORY_MB\)/),
      'secret.md': 'symbolic link leads outside the source folder',
      outside: 'symbolic link leads outside the source folder',
      ...(fifo ? { 'pipe.md': 'not a regular file (named pipe)' } : {}),
    });
    expect(peakRssMb).toBeLessThan(1024);
    expect(maxRssMb).toBeLessThan(1024);
    expect(maxLagMs).toBeLessThan(MAX_LAG_MS);
  }, 180_000);
});

describe('PDF page and time limits', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let bigPdf: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await tmpFolder('docent-pages-'));
    bigPdf = path.join(dir, 'ten-thousand.pdf');
    await writeFile(bigPdf, manyPagePdf(10_000));
  });
  afterAll(() => cleanup());

  async function load(file: string, parse?: ParseLimits) {
    const ctx = { ...collectingContext(), ...(parse ? { parse } : {}) };
    const [item] = await listSourceItems(file, ctx);
    const docs = await loadSourceItem(item!, ctx);
    return { docs, skipped: ctx.skipped };
  }

  it('skips a PDF over the page limit before reading its pages', async () => {
    const { value, ms } = await observe(() => load(bigPdf));
    expect(value.docs).toEqual([]);
    expect(value.skipped).toEqual([{ location: bigPdf, reason: 'PDF has 10,000 pages, over the 5,000-page limit (LOADER_PDF_MAX_PAGES)' }]);
    // Reading 10,000 pages takes ~30 s here; refusing them is quick.
    expect(ms).toBeLessThan(20_000);
  });

  it('keeps the event loop answering during a 10,000-page parse, and stops it at the time limit', async () => {
    const limits = { ...DEFAULT_PARSE_LIMITS, maxPdfPages: 20_000, timeoutMs: 5_000 };
    const { value, maxLagMs, acks, ms } = await observe(() => load(bigPdf, limits));
    console.info(`10,000-page PDF: max event-loop lag ${maxLagMs.toFixed(0)} ms, ${acks} acks in ${(ms / 1000).toFixed(1)} s`);
    expect(value.skipped).toEqual([{ location: bigPdf, reason: 'parsing took longer than the 5 s limit (LOADER_PARSE_TIMEOUT_MS)' }]);
    expect(maxLagMs).toBeLessThan(MAX_LAG_MS);
    // A tick every 25 ms over ≥ 5 s is ~200; a blocked loop would have managed a handful.
    expect(acks).toBeGreaterThan(100);
    // The parser is usable again right after the stopped run.
    const small = path.join(dir, 'small.pdf');
    await writeFile(small, manyPagePdf(300));
    const after = await load(small);
    expect(after.skipped).toEqual([]);
    expect(after.docs.map((d) => d.page)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  }, 120_000);
});

describe('limit settings', () => {
  it('default.yaml and the code defaults agree', () => {
    const c = loadConfig({ env: {} });
    expect(loaderLimits(c.loader)).toEqual({
      maxFileBytes: 50 * MB,
      fetchTimeoutMs: 30_000,
      readTimeoutMs: DEFAULT_READ_TIMEOUT_MS,
      parse: DEFAULT_PARSE_LIMITS,
    });
  });

  it('are read from the environment and validated', () => {
    const c = loadConfig({ env: { LOADER_PARSE_TIMEOUT_MS: '9000', LOADER_PARSE_MAX_MEMORY_MB: '256', LOADER_PDF_MAX_PAGES: '40', LOADER_READ_TIMEOUT_MS: '500' } });
    expect(loaderLimits(c.loader)).toMatchObject({ readTimeoutMs: 500, parse: { timeoutMs: 9000, maxMemoryMb: 256, maxPdfPages: 40 } });
    for (const [key, value] of [['LOADER_PARSE_MAX_MEMORY_MB', '16'], ['LOADER_PDF_MAX_PAGES', '0'], ['LOADER_PARSE_TIMEOUT_MS', '10']]) {
      let error: unknown;
      try {
        loadConfig({ env: { [key!]: value } });
      } catch (err) {
        error = err;
      }
      expect(error, key).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message, key).toContain(key);
    }
  });
});
