/**
 * Stream plumbing shared by the LLM chat generators (HF and OpenAI-compatible: SSE; Ollama: NDJSON).
 *
 * The clients parse their protocols themselves, and each generator reads the finish reason from the parsed
 * chunks (`finish_reason`, Ollama's `done_reason`): a stream that ends without one was cut, whatever its
 * framing said, so the wire is not re-parsed to find `[DONE]`. What the clients do not do is done by the guard
 * around the `fetch` each generator hands its client (measured on @huggingface/inference 4.13, openai 6.49,
 * ollama 0.6.4):
 * - none of them notices a server that keeps the socket open and goes silent: the guard aborts when no bytes
 *   arrive for `idleTimeoutMs` while the client is waiting for them (the timer only runs while the client
 *   reads, so a slow consumer never trips it);
 * - the openai client ends its iterator silently on an abort, and reads a 200 JSON answer (a server ignoring
 *   `stream: true`) as an empty stream: `checkEnded()` tells those apart from a cut stream;
 * - ollama-js skips a malformed NDJSON line with a `console.warn` and carries on, so a token would vanish
 *   unnoticed: the guard checks that each line is JSON. (The HF and openai clients throw a SyntaxError on a
 *   malformed SSE event themselves.)
 */
import { ProviderError } from '../../core/errors.js';
import { redactText } from '../../logging/logger.js';

/** The response stream broke: a malformed NDJSON line. */
export class BrokenStreamError extends Error {
  override readonly name = 'BrokenStreamError';
}

/** `sse`: an event stream is required; `ndjson`: Ollama's lines, checked one by one. */
export type StreamFraming = 'sse' | 'ndjson';

/** One request's watchdog: owns its abort controller, idle timer and what it saw of the response. */
export interface StreamGuard {
  /** A fetch that adds `signal` to every request and watches streamed bodies. */
  readonly fetch: typeof fetch;
  /** Aborts on the caller's abort, on idle timeout, and on `release()`. Pass it to the client too. */
  readonly signal: AbortSignal;
  /** True once a streaming response (2xx) arrived: later failures broke an answer in progress. */
  readonly streaming: boolean;
  /** True once the streamed body ended normally (the server closed the response, not the socket). */
  readonly bodyEnded: boolean;
  /** True when the idle timer, not the caller, aborted the request. */
  readonly timedOut: boolean;
  readonly idleTimeoutMs: number;
  /**
   * For a client whose iterator ended without a finish reason: throws when that was an abort (the caller's or
   * the idle timer's) or the server sent no stream at all; returns when the stream was simply cut.
   */
  checkEnded(): void;
  /** Aborts whatever is still in flight (a consumer that stopped early) and detaches from the caller's signal. */
  release(): void;
}

/** Creates a guard for one generation request. */
export function createStreamGuard(opts: { framing: StreamFraming; signal: AbortSignal; idleTimeoutMs: number; fetch?: typeof fetch | undefined }): StreamGuard {
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(opts.signal.reason);
  if (opts.signal.aborted) onAbort();
  else opts.signal.addEventListener('abort', onAbort, { once: true });

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
    const lines = opts.framing === 'ndjson' ? new NdjsonCheck() : undefined;
    let pending: Error | undefined;
    return new ReadableStream<Uint8Array>(
      {
        async pull(out) {
          if (pending) return out.error(pending);
          arm();
          try {
            const { done, value } = await reader.read();
            disarm();
            const bad = done ? lines?.end() : lines?.push(value);
            if (!bad) {
              if (!done) return out.enqueue(value);
              guard.bodyEnded = true;
              return out.close();
            }
            // Deliver the lines before the bad one first; fail on the next read.
            pending = bad.error;
            if (!done) void reader.cancel(bad.error).catch(() => {});
            if (bad.good.length > 0) out.enqueue(bad.good);
            else out.error(bad.error);
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
    bodyEnded: false,
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
    checkEnded() {
      if (ctrl.signal.aborted) throw ctrl.signal.reason;
      // A plain Error, so not transient: the same server will answer the same way next time.
      if (notAStream !== undefined) throw new Error(`the server answered ${notAStream}, not an event stream`);
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
 * Checks that each NDJSON line is JSON as the bytes go by. Works on bytes: in UTF-8 a 0x0A byte is always a
 * newline, never part of a character, so bytes before a bad line can be passed on exactly.
 */
class NdjsonCheck {
  private carry = new Uint8Array(0);
  private readonly decoder = new TextDecoder();

  /** Nothing when every complete line is JSON; else the new bytes before the bad line, and the error. */
  push(chunk: Uint8Array): { good: Uint8Array; error: BrokenStreamError } | undefined {
    const bytes = new Uint8Array(this.carry.length + chunk.length);
    bytes.set(this.carry);
    bytes.set(chunk, this.carry.length);
    let start = 0;
    for (let nl = bytes.indexOf(0x0a); nl !== -1; start = nl + 1, nl = bytes.indexOf(0x0a, start)) {
      const error = this.check(bytes.subarray(start, nl));
      // The carried bytes were passed on already; the client holds the unterminated bad line and never parses it.
      if (error) return { good: chunk.subarray(0, Math.max(0, start - this.carry.length)), error };
    }
    this.carry = bytes.slice(start);
    return undefined;
  }

  /** At the end of the body: the last line, which may lack its newline (the client parses it all the same). */
  end(): { good: Uint8Array; error: BrokenStreamError } | undefined {
    const error = this.check(this.carry);
    return error ? { good: new Uint8Array(0), error } : undefined;
  }

  private check(line: Uint8Array): BrokenStreamError | undefined {
    const text = this.decoder.decode(line).trim();
    if (text === '') return undefined;
    try {
      JSON.parse(text);
      return undefined;
    } catch {
      return new BrokenStreamError(`malformed NDJSON line: ${text.length > 80 ? `${text.slice(0, 80)}…` : text}`);
    }
  }
}

/** What `toGeneratorError` needs to know about the request that failed. */
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
  // The HF and openai clients JSON.parse each SSE event and let the SyntaxError out.
  if (c.guard.streaming && err instanceof SyntaxError) return new ProviderError(c.id, `the stream broke mid-answer: malformed event (${err.message})`, opts);
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
