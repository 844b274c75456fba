/**
 * Scripted streaming chat for the loopback fakes: each request takes the next queued script (tokens, pacing
 * and a failure to inject), and the fake records what the client sent and when each token was written.
 * The wire framing (OpenAI SSE, Ollama NDJSON) is supplied by each protocol fake as a `ChatWire`.
 */
import { performance } from 'node:perf_hooks';
import type { ServerResponse } from 'node:http';
import { sendJson, type RouteHandler } from './route-server.js';

/** How one streamed answer goes. Counts are tokens already written when the event happens. */
export interface ChatScript {
  tokens: string[];
  /** Pause before each token after the first, ms. */
  delayMs?: number;
  /** Pause before the first token (headers go out at once), ms. */
  firstTokenDelayMs?: number;
  /** Destroy the socket after this many tokens: no terminator, no clean end. */
  cutAfter?: number;
  /** Write one garbage record after this many tokens, then carry on. */
  malformedAfter?: number;
  /** Go silent after this many tokens, keeping the connection open (until the client gives up). */
  stallAfter?: number;
  /**
   * End the response cleanly after the tokens but without the final record (no `finish_reason` chunk and no
   * `[DONE]` / no `done: true`): a stream cut without a reason.
   */
  noTerminator?: boolean;
  /** Fail with this HTTP status instead of streaming. */
  status?: number;
  /** Body for `status` (default: the protocol's usual error shape). */
  errorBody?: unknown;
  /**
   * `finish_reason` / `done_reason` in the final record, e.g. `length` for an answer cut at `max_tokens`.
   * Default `stop`. `null` sends the final record without one (SSE: only `data: [DONE]`; Ollama: `done: true`
   * without `done_reason`, as servers before done_reason did).
   */
  finishReason?: string | null;
}

/** Builds a script (a typed identity, so call sites read `enqueue(script({ tokens: [...] }))`). */
export function script(s: ChatScript): ChatScript {
  return { ...s, tokens: [...s.tokens] };
}

/** One chat request as the fake saw it, normalised across protocols (`raw` keeps the body as sent). */
export interface ChatRequestRecord {
  path: string;
  model: unknown;
  messages: unknown;
  /** `max_tokens` (OpenAI/HF) or `options.num_predict` (Ollama). */
  maxTokens: unknown;
  /** `temperature` or `options.temperature`. */
  temperature: unknown;
  stream: unknown;
  /** The Authorization header, if any. */
  authorization: string | undefined;
  raw: unknown;
  /** `performance.now()` when the request arrived. */
  at: number;
}

/** When a token was handed to the socket: `performance.now()` in the process running the fake. */
export interface TokenTime {
  /** Index into `requests`. */
  request: number;
  /** Token index within that answer. */
  index: number;
  text: string;
  at: number;
}

/** A protocol's framing of a scripted answer. */
export interface ChatWire {
  contentType: string;
  token(text: string, index: number, model: string): string;
  end(model: string, finishReason: string | null, tokens: number): string;
  garbage: string;
  errorBody(status: number): unknown;
  /** Pull the normalised fields out of a request body. */
  fields(body: Record<string, unknown>): Pick<ChatRequestRecord, 'model' | 'messages' | 'maxTokens' | 'temperature' | 'stream'>;
  /** A check that runs before the script (e.g. Ollama's unknown-model 404); returns true when it answered. */
  precheck?(body: Record<string, unknown>, res: ServerResponse): boolean;
}

/** The chat half of a protocol fake: a script queue plus what was asked and when tokens went out. */
export interface ChatStage {
  /** Queue scripts for the next requests, in order. */
  enqueue(...scripts: ChatScript[]): void;
  /** Used when the queue is empty. */
  defaultScript: ChatScript;
  readonly requests: ChatRequestRecord[];
  readonly tokenTimes: TokenTime[];
  /** The route handler speaking `wire`. */
  handler(wire: ChatWire): RouteHandler;
}

/** Creates an empty chat stage. */
export function createChatStage(): ChatStage {
  const queue: ChatScript[] = [];
  const requests: ChatRequestRecord[] = [];
  const tokenTimes: TokenTime[] = [];
  const stage: ChatStage = {
    defaultScript: script({ tokens: ['Hello', ' from', ' the', ' fake', '.'] }),
    requests,
    tokenTimes,
    enqueue: (...s) => void queue.push(...s),
    handler: (wire) => async (req, res) => {
      const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
      const auth = req.headers.authorization;
      const n = requests.push({ path: req.path, ...wire.fields(body), authorization: typeof auth === 'string' ? auth : undefined, raw: req.body, at: performance.now() }) - 1;
      if (wire.precheck?.(body, res)) return;
      const s = queue.shift() ?? stage.defaultScript;
      if (s.status !== undefined) return sendJson(res, s.status, s.errorBody ?? wire.errorBody(s.status));
      await play(s, n, String(body.model ?? 'fake-model'), wire, res, tokenTimes);
    },
  };
  return stage;
}

async function play(s: ChatScript, n: number, model: string, wire: ChatWire, res: ServerResponse, tokenTimes: TokenTime[]): Promise<void> {
  const closed = new Promise<void>((resolve) => res.once('close', resolve));
  let gone = false;
  void closed.then(() => (gone = true));
  const pause = (ms: number) => (ms > 0 ? Promise.race([new Promise<void>((r) => setTimeout(r, ms)), closed]) : Promise.resolve());
  // Resolve once the bytes are handed to the socket, so a cut after N tokens really delivers N tokens
  // (or once the client has gone: a write to a destroyed socket may never call back).
  const write = (text: string) => Promise.race([new Promise<void>((resolve) => res.write(text, () => resolve())), closed]);

  res.writeHead(200, { 'content-type': wire.contentType, 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  for (let i = 0; i <= s.tokens.length; i++) {
    if (s.malformedAfter === i) await write(wire.garbage);
    if (s.cutAfter === i) return void res.destroy();
    if (s.stallAfter === i) return closed;
    if (i === s.tokens.length) break;
    await pause(i === 0 ? (s.firstTokenDelayMs ?? 0) : (s.delayMs ?? 0));
    if (gone) return;
    tokenTimes.push({ request: n, index: i, text: s.tokens[i]!, at: performance.now() });
    await write(wire.token(s.tokens[i]!, i, model));
  }
  if (!gone) res.end(s.noTerminator ? undefined : wire.end(model, s.finishReason === undefined ? 'stop' : s.finishReason, s.tokens.length));
}
