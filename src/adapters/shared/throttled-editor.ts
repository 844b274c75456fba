/**
 * Shows a changing state (a streaming answer, reindex progress) through a slow, rate-limited "edit" call.
 *
 * - At most one edit is in flight, and the next is scheduled only after it has finished: edits never race,
 *   so a late edit can never overwrite a newer one.
 * - Edits start at most once per `intervalMs` (Discord asks for about one a second on a streaming message).
 *   The first state is shown at once, because nothing was edited recently.
 * - States that arrive while an edit is in flight or waiting are coalesced: only the newest is kept, so at
 *   most one edit is ever pending, however fast the text arrives or however long Discord's rate limiter
 *   (which honours 429 `retry_after` inside discord.js) holds an edit back.
 * - `finish(state)` always shows the final state: it waits for the edit in flight, drops anything pending
 *   and edits once more without waiting for the interval, so the reader gets the end without delay.
 */
export interface ThrottledEditor<T> {
  /** Offers the newest state; it replaces any state not yet shown. Ignored after `finish`. */
  update(state: T): void;
  /** Shows `state` after the edit in flight (if any); resolves when it is shown, rejects if that edit fails. */
  finish(state: T): Promise<void>;
  /** Edits started so far (for logs and benchmarks). */
  readonly edits: number;
}

/** Timer functions, injectable so tests can use fake timers or a fake clock. */
export interface EditorClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ThrottledEditorOptions<T> {
  intervalMs: number;
  /** Performs one edit. Intermediate failures are reported to `onError` and the stream goes on. */
  apply: (state: T) => Promise<void>;
  onError?: (err: unknown) => void;
  clock?: EditorClock;
}

const systemClock: EditorClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export function createThrottledEditor<T>(o: ThrottledEditorOptions<T>): ThrottledEditor<T> {
  const clock = o.clock ?? systemClock;
  let pending: { state: T } | null = null;
  let inFlight: Promise<void> | null = null;
  let timer: unknown = null;
  let lastStart = Number.NEGATIVE_INFINITY;
  let finished = false;
  let edits = 0;

  const startEdit = (state: T): Promise<void> => {
    lastStart = clock.now();
    edits++;
    return o.apply(state);
  };

  const schedule = (): void => {
    if (finished || !pending || inFlight || timer !== null) return;
    const wait = lastStart + o.intervalMs - clock.now();
    if (wait > 0) {
      timer = clock.setTimeout(() => {
        timer = null;
        runPending();
      }, wait);
    } else runPending();
  };

  const runPending = (): void => {
    if (finished || !pending) return;
    const { state } = pending;
    pending = null;
    const edit = startEdit(state).catch((err: unknown) => o.onError?.(err));
    inFlight = edit.finally(() => {
      inFlight = null;
      schedule();
    });
  };

  return {
    update(state) {
      if (finished) return;
      pending = { state };
      schedule();
    },
    async finish(state) {
      finished = true;
      pending = null;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
      while (inFlight) await inFlight;
      await startEdit(state);
    },
    get edits() {
      return edits;
    },
  };
}
