/**
 * Stream plumbing shared by the LLM chat generators (HF, OpenAI-compatible: SSE; Ollama: NDJSON).
 *
 * Each generator hands its real client a `fetch` from `createStreamGuard`, which watches the response body
 * on its way to the client. Why not trust the clients alone (measured on @huggingface/inference 4.13,
 * openai 6.49, ollama 0.6.4):
 * - a stream that ends without `data: [DONE]` ends the HF and OpenAI iterators silently, so a cut answer
 *   would look complete; the guard turns it into an error;
 * - the openai client swallows an AbortError mid-stream (the iterator just stops), and ollama-js skips a
 *   malformed NDJSON line with a `console.warn` and carries on; the guard reports both;
 * - none of them notices a server that keeps the socket open and goes silent: the guard aborts when no
 *   bytes arrive for `idleTimeoutMs` while the client is waiting for them (the timer only runs while the
 *   client reads, so a slow consumer never trips it).
 * Bytes before a malformed record are still passed on, so the deltas written before it reach the caller.
 */
import { ProviderError } from '../../core/errors.js';
import { redactText } from '../../logging/logger.js';

/** The response stream broke: malformed record, or it ended before its terminator. */
export class BrokenStreamError extends Error {
  override readonly name = 'BrokenStreamError';
}

/** `sse`: OpenAI-style `data:` events ending with `data: [DONE]`; `ndjson`: Ollama lines ending with `"done": true`. */
export type StreamFraming = 'sse' | 'ndjson';

/** One request's watchdog: owns its abort controller, idle timer and stream-completion state. */
export interface StreamGuard {
  /** A fetch that adds `signal` to every request and watches streamed bodies. */
  readonly fetch: typeof fetch;
  /** Aborts on the caller's abort, on idle timeout, and on `release()`. Pass it to the client too. */
  readonly signal: AbortSignal;
  /** True once a streaming response (2xx) arrived: later failures broke an answer in progress. */
  readonly streaming: boolean;
  /** True when the idle timer, not the caller, aborted the request. */
  readonly timedOut: boolean;
  readonly idleTimeoutMs: number;
  /** Throws when the stream did not end with its terminator (use after the client's iterator ends). */
  assertFinished(): void;
  /** Aborts whatever is still in flight (a consumer that stopped early) and detaches from the caller's signal. */
  release(): void;
}

/** Creates a guard for one generation request. */
export function createStreamGuard(opts: { framing: StreamFraming; signal: AbortSignal; idleTimeoutMs: number; fetch?: typeof fetch | undefined }): StreamGuard {
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(opts.signal.reason);
  if (opts.signal.aborted) onAbort();
  else opts.signal.addEventListener('abort', onAbort, { once: true });

  let finished = false;
  /** Content type of a 2xx answer that was not the stream asked for (a server ignoring `stream: true`). */
  let notAStream: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      guard.timedOut = true;
      ctrl.abort(new DOMException(`no data for ${opts.idleTimeoutMs} ms`, 'TimeoutError'));
    }, opts.idleTimeoutMs);
  };
  const disarm = () => clearTimeout(timer);

  const watch = (body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> => {
    const reader = body.getReader();
    const scanner = new RecordScanner(opts.framing);
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    let pending: Error | undefined;
    return new ReadableStream<Uint8Array>(
      {
        async pull(out) {
          if (pending) return out.error(pending);
          arm();
          try {
            const { done, value } = await reader.read();
            disarm();
            const { pass, error } = scanner.push(done ? decoder.decode() : decoder.decode(value, { stream: true }), done);
            finished ||= scanner.finished;
            const failure =
              error ?? (done && !scanner.finished ? new BrokenStreamError(`the stream ended before ${opts.framing === 'sse' ? '[DONE]' : 'done: true'}`) : undefined);
            if (pass) out.enqueue(encoder.encode(pass));
            if (failure) {
              // Deliver what came before the failure first; fail on the next read.
              pending = failure;
              if (!done) void reader.cancel(failure).catch(() => {});
              if (!pass) out.error(failure);
            } else if (done) out.close();
          } catch (e) {
            disarm();
            out.error(e);
          }
        },
        cancel: (reason) => reader.cancel(reason),
      },
      // Pull only when the client reads, so the idle timer measures the server, not our consumer.
      { highWaterMark: 0 },
    );
  };

  const guard = {
    signal: ctrl.signal,
    streaming: false,
    timedOut: false,
    idleTimeoutMs: opts.idleTimeoutMs,
    async fetch(input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> {
      const signal = init?.signal ? AbortSignal.any([init.signal, ctrl.signal]) : ctrl.signal;
      arm();
      let res: Response;
      try {
        res = await (opts.fetch ?? fetch)(input, { ...init, signal });
      } finally {
        disarm();
      }
      const type = res.headers.get('content-type') ?? '';
      const isStream = opts.framing === 'ndjson' || type.startsWith('text/event-stream');
      // The last response wins: HF may GET a JSON provider mapping before it POSTs for the stream.
      notAStream = res.ok && !isStream ? type || 'no content type' : undefined;
      if (!res.ok || !res.body || !isStream) return res;
      guard.streaming = true;
      return new Response(watch(res.body), { status: res.status, statusText: res.statusText, headers: res.headers });
    },
    assertFinished() {
      if (ctrl.signal.aborted) throw ctrl.signal.reason;
      // A plain Error, so not transient: the same server will answer the same way next time.
      if (notAStream !== undefined) throw new Error(`the server answered ${notAStream}, not an event stream`);
      if (!finished) throw new BrokenStreamError('the stream ended before its terminator');
    },
    release() {
      disarm();
      opts.signal.removeEventListener('abort', onAbort);
      if (!ctrl.signal.aborted) ctrl.abort(new DOMException('released', 'AbortError'));
    },
  };
  return guard;
}

/**
 * Splits streamed text into records and validates each (SSE event data must be JSON or `[DONE]`; each
 * NDJSON line must be JSON). Lines end at `\n` (a trailing `\r` is dropped); lone-CR line endings,
 * legal in SSE but unused by LLM servers, are not supported.
 */
class RecordScanner {
  finished = false;
  private carry = '';
  private data: string[] = [];

  constructor(private readonly framing: StreamFraming) {}

  /** Returns the part of `text` safe to pass on, and an error when a bad record starts after it. */
  push(text: string, end: boolean): { pass: string; error?: BrokenStreamError } {
    const full = this.carry + text + (end && this.carry + text !== '' && this.framing === 'ndjson' ? '\n' : '');
    let start = 0;
    for (let nl = full.indexOf('\n'); nl !== -1; start = nl + 1, nl = full.indexOf('\n', start)) {
      const line = full.slice(start, nl).replace(/\r$/, '');
      const error = this.framing === 'sse' ? this.sseLine(line) : this.ndjsonLine(line);
      // Everything before this line's terminator has been or can be passed on; the client holds the
      // unterminated bad record and never parses it.
      if (error) return { pass: full.slice(this.carry.length, Math.max(this.carry.length, nl)), error };
    }
    this.carry = full.slice(start);
    return { pass: text };
  }

  private sseLine(line: string): BrokenStreamError | undefined {
    if (line.startsWith('data:')) {
      this.data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      return undefined;
    }
    if (line !== '' || this.data.length === 0) return undefined; // comments, event:, id:, retry:
    const data = this.data.join('\n');
    this.data = [];
    if (data === '[DONE]') {
      this.finished = true;
      return undefined;
    }
    return parse(data) === NOT_JSON ? new BrokenStreamError(`malformed SSE event: ${clip(data)}`) : undefined;
  }

  private ndjsonLine(line: string): BrokenStreamError | undefined {
    if (line.trim() === '') return undefined;
    const record = parse(line);
    if (record === NOT_JSON) return new BrokenStreamError(`malformed NDJSON line: ${clip(line)}`);
    if ((record as { done?: unknown } | null)?.done === true) this.finished = true;
    return undefined;
  }
}

const NOT_JSON = Symbol('not JSON');
function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

const clip = (s: string) => (s.length > 80 ? `${s.slice(0, 80)}…` : s);

/** What `toGeneratorError` needs to know about the request that failed. */
/** One chunk of an OpenAI-style chat completion stream (HF's client and openai's share the shape). */
interface ChatCompletionChunkLike {
  choices?: Array<{ delta?: { content?: string | null } } | undefined>;
}

/**
 * The text of each chunk of an OpenAI-style stream. The first chunk often carries only the role, and reasoning
 * models may send other fields: chunks without text are skipped.
 */
export async function* deltaTexts(chunks: AsyncIterable<ChatCompletionChunkLike>): AsyncGenerator<string> {
  for await (const chunk of chunks) {
    const text = chunk.choices?.[0]?.delta?.content;
    if (typeof text === 'string' && text !== '') yield text;
  }
}

export interface FailureContext {
  /** The generator id (ProviderError.provider) and the host or endpoint named in messages. */
  id: string;
  where: string;
  guard: StreamGuard;
  /** The caller's signal: its abort is reported as 'aborted', whatever the client made of it. */
  callerSignal: AbortSignal;
  /** HTTP status the client attached to its error, if any. */
  status: number | undefined;
  authHint: string;
  notFoundHint?: string;
  unreachableHint: string;
  /** Credentials the request carried (token, API key): scrubbed from messages, since servers echo them in error bodies. */
  secrets?: string[];
}

/** Whether an error (or one of its causes) is `fetch failed`/a refused or reset connection: nothing answered. */
function isNetworkError(e: unknown): boolean {
  for (let x = e, depth = 0; x && depth < 5; x = (x as { cause?: unknown }).cause, depth++) {
    const { name, message, code } = x as { name?: string; message?: string; code?: string };
    if (name === 'TypeError' && /fetch failed/i.test(message ?? '')) return true;
    if (name === 'APIConnectionError') return true;
    if (code && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ETIMEDOUT|UND_ERR_)/.test(code)) return true;
  }
  return false;
}

/** An error's message followed by its causes' (undici hides the useful part, e.g. ECONNREFUSED, in `cause`). */
function messages(err: Error): string {
  const parts: string[] = [];
  for (let x: unknown = err, depth = 0; x instanceof Error && depth < 4; x = x.cause, depth++) {
    const m = x.message.replace(/\.$/, '');
    if (m && !parts.includes(m)) parts.push(m);
  }
  return parts.join(': ');
}

function findBroken(e: unknown): BrokenStreamError | undefined {
  for (let x = e, depth = 0; x && depth < 5; x = (x as { cause?: unknown }).cause, depth++) if (x instanceof BrokenStreamError) return x;
  return undefined;
}

/**
 * Maps whatever a chat client threw into a ProviderError: transient when retrying or falling back may help.
 * The message (shown in fallback notes and logged) and the cause never carry the request's credentials.
 */
export function toGeneratorError(e: unknown, c: FailureContext): ProviderError {
  const err = classify(e, c);
  const secrets = c.secrets ?? [];
  const scrub = (t: string) => redactText(t, secrets);
  const prefix = `${err.provider}: `;
  const body = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const causeText = cause ? `${cause.message}\n${cause.stack ?? ''}` : '';
  if (scrub(body) === body && scrub(causeText) === causeText) return err;
  let safeCause: unknown = err.cause;
  if (cause) {
    const copy = new Error(scrub(cause.message));
    copy.name = cause.name;
    copy.stack = scrub(cause.stack ?? '');
    safeCause = copy;
  }
  return new ProviderError(err.provider, scrub(body), {
    transient: err.transient, cause: safeCause, ...(err.hint === undefined ? {} : { hint: err.hint }),
  });
}

function classify(e: unknown, c: FailureContext): ProviderError {
  if (e instanceof ProviderError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const opts = { cause: e, transient: true } as const;
  if (c.callerSignal.aborted) return new ProviderError(c.id, 'aborted', opts);
  if (c.guard.timedOut) return new ProviderError(c.id, `${c.where} sent nothing for ${c.guard.idleTimeoutMs} ms`, opts);
  const broken = findBroken(e);
  if (broken) return new ProviderError(c.id, `the stream broke mid-answer: ${broken.message}`, opts);
  const status = c.status;
  if (status !== undefined && status >= 300) {
    const text = `${c.where} answered HTTP ${status}: ${err.message}`;
    if (status === 401 || status === 403) return new ProviderError(c.id, text, { cause: e, hint: c.authHint });
    if (status === 404 && c.notFoundHint) return new ProviderError(c.id, text, { cause: e, hint: c.notFoundHint });
    return new ProviderError(c.id, text, { cause: e, transient: status === 408 || status === 425 || status === 429 || status >= 500 });
  }
  const detail = messages(err);
  // After a 2xx, any failure (a reset socket, an error event from the server) broke an answer in progress.
  if (c.guard.streaming) return new ProviderError(c.id, `the stream broke mid-answer: ${detail}`, opts);
  if (isNetworkError(e)) return new ProviderError(c.id, `cannot reach ${c.where}: ${detail}`, { ...opts, hint: c.unreachableHint });
  // Input, routing or configuration errors from the client: retrying the same call will not help.
  return new ProviderError(c.id, `${c.where}: ${detail}`, { cause: e });
}
