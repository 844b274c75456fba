import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logging/logger.js';
import { webChatBundle, type Asset } from './bundle.js';
import { renderPage, type PageSettings } from './page-html.js';

export interface WebChatPageOptions extends PageSettings {
  /** CSP frame-ancestors (config `server.frameAncestors`): who may show the page in a frame. */
  frameAncestors?: string;
  logger: Pick<Logger, 'error'>;
}

/**
 * The page's own CSP, stricter than "anything goes" and looser than the status page's (which runs no script):
 * the bundle and stylesheet from this origin only, fetches to this origin only (the API), no inline script or
 * style (the client sets no `style` attributes; DOMPurify strips them from answers), `data:` images for
 * icons drawn in the stylesheet. `base-uri 'none'` stops an injected <base> from redirecting relative URLs.
 */
export function webChatCsp(frameAncestors = "'none'"): string {
  return [
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self' data:",
    "form-action 'self'", "base-uri 'none'", `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

const BASE_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
/** Asset URLs carry their content hash: a new build is a new URL, so an old one may be kept for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves `GET /` (the chat page; `/?q=…` too — the query is read by the script) and `/assets/app-<hash>.{js,css}`.
 * Returns true when it handled the request. The page itself is `no-store`: it names the current asset hashes.
 * If the bundle cannot be built (esbuild missing from a broken install), `/` says so in one sentence with 503
 * and the log has the detail; the API and the status page keep working.
 */
export function createWebChatPage(o: WebChatPageOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const csp = webChatCsp(o.frameAncestors);
  // Start building now, so the first visitor does not wait for esbuild; a failure is reported when asked for.
  webChatBundle().catch(() => undefined);

  function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string | Buffer, cache: string): void {
    res.writeHead(status, { ...BASE_HEADERS, 'Content-Security-Policy': csp, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': cache });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    let bundle;
    try {
      bundle = await webChatBundle();
    } catch (err) {
      o.logger.error({ err }, 'could not build the web chat page (esbuild)');
      return send(req, res, 503, 'text/plain; charset=utf-8', 'The web chat page is not available; the log says why.\n', 'no-store');
    }
    if (pathname === '/') return send(req, res, 200, 'text/html; charset=utf-8', renderPage(o, bundle), 'no-store');
    const asset: Asset | undefined = [bundle.script, bundle.style].find((a) => a.url === pathname);
    if (!asset) return send(req, res, 404, 'text/plain; charset=utf-8', 'not found\n', 'no-store');
    send(req, res, 200, asset.contentType, asset.body, IMMUTABLE);
  }

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      return false;
    }
    if (pathname !== '/' && !pathname.startsWith('/assets/')) return false;
    serve(req, res, pathname).catch((err: unknown) => {
      o.logger.error({ err, url: req.url }, 'web chat page request failed');
      if (!res.headersSent) send(req, res, 500, 'text/plain; charset=utf-8', 'internal error\n', 'no-store');
      else res.end();
    });
    return true;
  };
}
