/**
 * Shared set-up for the web chat's browser tests: Chromium through playwright-core, and a real Docent HTTP server
 * (the sample catalog, its own Chroma server, the no-download embedder) serving the page and the API on loopback.
 *
 * Chromium: Debian's package (`apt-get install chromium`, /usr/bin/chromium) or CHROMIUM_PATH. Without it the
 * suites skip and say why; CI sets DOCENT_REQUIRE_CHROMIUM=1, so there a missing browser fails instead.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { chromium, type Browser } from 'playwright-core';
import type { DocentServices } from '../../commands/services.js';
import { loadConfig } from '../../src/config/load-config.js';
import { openRuntime, type OpenedRuntime } from '../../src/runtime/docent-runtime.js';
import { resolveChain } from '../../src/runtime/generators.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/http-server.js';
import { createMetrics, instrumentServices } from '../../src/server/metrics.js';
import { readinessCheck } from '../../src/server/readiness.js';
import { createWebChat } from '../../src/server/web-chat/index.js';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const runBrowserTests = existsSync(CHROMIUM) || process.env.DOCENT_REQUIRE_CHROMIUM === '1';

/** Call once per file: prints why the suite is skipped (vitest's skip alone says nothing about the cause). */
export function warnIfSkipped(suite: string): void {
  if (!runBrowserTests) {
    console.warn(`${suite}: skipped — Chromium not found at ${CHROMIUM}. Install it (apt-get install -y --no-install-recommends chromium) or set CHROMIUM_PATH.`);
  }
}

/** One browser per test file (launching is the slow part); each test opens its own context. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // No sandbox: CI runs as root. /dev/shm is small in containers.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
    timeout: 60_000,
  });
}

export interface WebChatHarness {
  /** The first server's base URL. */
  url: string;
  work: string;
  dataDir: string;
  runtime: OpenedRuntime;
  services: DocentServices;
  /** Another server over the same runtime (another token, other wrapped services); closed with the harness. */
  serve(o?: ServeOptions): Promise<string>;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** WEB_CHAT_TOKEN. */
  token?: string;
  /** Wraps the services the API uses (to watch what the server saw). */
  wrap?: (s: DocentServices) => DocentServices;
}

/**
 * The sample catalog indexed into a fresh data dir, a runtime over it, and one web chat server. `env` is extra
 * configuration as environment variables (e.g. OPENAI_BASE_URL for a fake model).
 */
export async function startWebChatHarness(o: ServeOptions & { env?: Record<string, string> } = {}): Promise<WebChatHarness> {
  const repo = path.resolve(import.meta.dirname, '../..');
  const work = mkdtempSync(path.join(os.tmpdir(), 'docent-web-chat-'));
  const docs = path.join(work, 'docs');
  const dataDir = path.join(work, 'data');
  cpSync(path.join(repo, 'data/sample'), docs, { recursive: true });
  const logger = pino({ level: 'silent' });
  const config = loadConfig({ env: { EMBEDDER: 'word-vectors', ...o.env }, overrides: { dataDir, sources: [docs] } });
  const runtime = await openRuntime(config, logger, { indexIfEmpty: true });
  const services = instrumentServices(runtime.services, createMetrics({ defaultMetrics: false }));
  const servers: RunningHttpServer[] = [];
  const serve = async (s: ServeOptions = {}): Promise<string> => {
    const server = await startHttpServer({
      port: 0, host: '127.0.0.1', services, ready: readinessCheck(runtime.probes), metrics: createMetrics({ defaultMetrics: false }), logger,
      extraHandler: createWebChat({
        api: { services: s.wrap ? s.wrap(services) : services, logger, rate: { perMinute: 600, burst: 50 }, ...(s.token ? { token: s.token } : {}) },
        page: { title: 'Docent', catalogName: 'the Cascade Watershed Observatory catalog', excerptsOnly: resolveChain(config).every((b) => b === 'extractive') },
      }),
    });
    servers.push(server);
    return server.url;
  };
  const close = async (): Promise<void> => {
    for (const server of servers) await server.close();
    await runtime.close();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const url = await serve(o);
    return { url, work, dataDir, runtime, services, serve, close };
  } catch (err) {
    await close();
    throw err;
  }
}
