import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The web chat's browser code and styles, bundled by esbuild's JS API into memory the first time a server asks
 * for them, and kept for the life of the process. Building at start rather than in a separate step means `npm
 * start` and `npm test` work on a fresh clone with nothing to remember, and the bundle can never be older than
 * the sources next to it. esbuild bundles markdown-it and DOMPurify from node_modules in ~0.1–0.3 s.
 *
 * The sources are the TypeScript and CSS in `client/` (esbuild reads TypeScript itself). Run from the compiled
 * build (dist/src/server/web-chat/…), tsc has not copied the CSS, so the sources are looked up in the package's
 * own `src/` tree; the Docker image copies that one folder for this reason.
 */

export interface Asset {
  /** `/assets/app-<hash>.js`: a new build gets a new URL, so the files can be cached for good. */
  url: string;
  contentType: string;
  body: Buffer;
}

export interface WebChatBundle {
  script: Asset;
  style: Asset;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where the client sources are: next to this module (run from src/) or in the package's src/ (run from dist/). */
export function clientSourceDir(): string {
  const candidates = [path.join(here, 'client'), path.resolve(here, '../../../../src/server/web-chat/client')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'main.ts')));
  if (!found) throw new Error(`web chat client sources not found (looked in ${candidates.join(', ')})`);
  return found;
}

let cached: Promise<WebChatBundle> | undefined;

/** The bundle, built once per process (concurrent callers share the build; a failed build is retried next time). */
export function webChatBundle(): Promise<WebChatBundle> {
  cached ??= buildBundle().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function buildBundle(): Promise<WebChatBundle> {
  // Imported here, not at the top: a process that never serves the page (Discord only, the CLI) never loads it.
  const esbuild = await import('esbuild');
  const dir = clientSourceDir();
  // The JS API runs a long-lived `esbuild --service` child; stopped once the bundle is built, or it outlives a
  // graceful shutdown (an orphan zombie under a container's PID 1: test/deploy/entrypoint.test.ts).
  const result = await esbuild.build({
    entryPoints: { app: path.join(dir, 'main.ts'), style: path.join(dir, 'styles.css') },
    bundle: true,
    write: false,
    outdir: '/web-chat',
    format: 'iife',
    platform: 'browser',
    // Browsers from 2021 on: fetch streams, TextDecoderStream, AbortController, optional chaining.
    target: ['chrome90', 'firefox90', 'safari15'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    // DOMPurify and markdown-it check process.env.NODE_ENV in places; the browser has no `process`.
    define: { 'process.env.NODE_ENV': '"production"' },
  }).finally(() => esbuild.stop());
  const output = (ext: string): Buffer => {
    const file = result.outputFiles.find((f) => f.path.endsWith(ext));
    if (!file) throw new Error(`esbuild produced no ${ext} file for the web chat`);
    return Buffer.from(file.contents);
  };
  return {
    script: asset('app', '.js', 'text/javascript; charset=utf-8', output('.js')),
    style: asset('app', '.css', 'text/css; charset=utf-8', output('.css')),
  };
}

function asset(name: string, ext: string, contentType: string, body: Buffer): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return { url: `/assets/${name}-${hash}${ext}`, contentType, body };
}
