/**
 * What the page sends and receives (src/server/chat-api.ts). Types only, from the core's own vocabulary, so the
 * page cannot drift from the server's parts; esbuild drops type imports, nothing of the server is bundled.
 */
import type { FinishInfo, Passage } from '../../../core/answer/types.js';

export type { Citation, DatasetCard, FinishInfo, Passage } from '../../../core/answer/types.js';

/** One `data:` event of POST /api/ask. An error carries only the polite sentence; the server log has the rest. */
export type WirePart =
  | { type: 'answer'; answerId: string }
  | { type: 'sources'; passages: Passage[] }
  | { type: 'text-delta'; text: string }
  | { type: 'finish'; info: FinishInfo }
  | { type: 'error'; error: { code: string; message: string } };

/** A turn of the conversation as the API takes it. */
export interface WireTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** The API's own limits (chat-api.ts DEFAULT_LIMITS): history beyond them would be refused with a 400. */
export const LIMITS = { historyTurns: 20, turnChars: 4_000, questionChars: 2_000 };

/**
 * Reads a `text/event-stream` body into its `data:` payloads as they arrive. EventSource cannot send a POST
 * body, so the stream is parsed here: events end at a blank line, `:` lines are keep-alive comments.
 */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<WirePart> {
  const reader = body.getReader();
  // `stream: true` keeps a character split across two chunks whole.
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
        if (data) yield JSON.parse(data) as WirePart;
      }
    }
  } finally {
    // The consumer stopped early (or the fetch was aborted): let go of the connection too.
    reader.cancel().catch(() => undefined);
  }
}
