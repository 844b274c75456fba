import type { IncomingMessage, ServerResponse } from 'node:http';
import { createChatApi, type ChatApiOptions } from '../chat-api.js';
import { createWebChatPage, type WebChatPageOptions } from './page-server.js';

export { webChatCsp, createWebChatPage, type WebChatPageOptions } from './page-server.js';
export { webChatBundle } from './bundle.js';

export interface WebChatOptions {
  /** The API: POST /api/ask and /api/feedback (src/server/chat-api.ts). */
  api: ChatApiOptions;
  /** The page at `/` and its assets; `tokenRequired` follows `api.token`. */
  page: Omit<WebChatPageOptions, 'tokenRequired' | 'logger'>;
}

/**
 * The whole web chat as one `extraHandler` for the operations HTTP server: the page at `/` (which takes `/` over
 * from the redirect to /status) and the API under /api/. Mounted only when the web chat is on, so with it off `/`
 * keeps pointing at the status page.
 */
export function createWebChat(o: WebChatOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const page = createWebChatPage({ ...o.page, tokenRequired: Boolean(o.api.token), logger: o.api.logger });
  const api = createChatApi(o.api);
  return (req, res) => page(req, res) || api(req, res);
}
