import { DocentError } from '../errors.js';
import { abortError } from './retry.js';

export interface AdmissionLimits {
  /** Answers produced at the same time (retrieval + generation). */
  maxConcurrent: number;
  /** Questions waiting for a slot; beyond this a question is refused at once with "busy". */
  maxQueued: number;
  /** One person's questions in flight or waiting; beyond this their next one is refused. */
  perUser: number;
  /**
   * Longest a question waits in the queue, ms; then it is refused with "busy" (the asker is still there to
   * read it, rather than getting an answer long after giving up). Undefined or 0: no bound.
   */
  maxWaitMs?: number;
}

/** A queued question: granted a slot by hand-off, or taken out of the queue on abort or timeout. */
interface Waiter {
  user: string;
  grant(): void;
}

/**
 * A bounded queue in front of the answer pipeline: a burst of questions waits its turn instead of overloading
 * the LLM, Chroma and memory, and past capacity a question is refused at once with how long to wait — never
 * dropped silently. One user cannot take every slot.
 *
 * A finished answer hands its slot straight to the first waiter (`active` is not lowered in between), so a
 * question arriving at that moment cannot take the slot too: while anyone waits, `active` stays at the limit.
 * Why not p-limit or async-sema: neither counts one person's questions (in flight and waiting, under one check),
 * bounds the queue with an immediate refusal, nor lets one queued wait be abandoned on abort or after a time
 * limit; all of that must change together with the queue, so it lives here (as their hand-off does).
 */
export class AdmissionControl {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private readonly perUser = new Map<string, number>();
  /** Recent answer durations (ms), for the "try again in N s" estimate. */
  private readonly recent: number[] = [];

  constructor(private readonly limits: AdmissionLimits) {}

  /**
   * Waits for a slot and returns its release function, or throws a DocentError `busy` (category user, with the
   * suggested wait) when the queue or the user's share is full, or when the wait exceeds `maxWaitMs`. When
   * `signal` aborts while waiting, the question leaves the queue (its place and the user's share are freed)
   * and the abort reason is thrown. `maxWaitMs` bounds this one question's wait below the configured bound
   * (a surface that cannot show an answer after some deadline, e.g. a Discord interaction token's 15 minutes).
   */
  admit(userId: string | undefined, signal?: AbortSignal, maxWaitMs?: number): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const user = userId ?? '';
    const mine = user ? (this.perUser.get(user) ?? 0) : 0;
    if (user && mine >= this.limits.perUser) return Promise.reject(this.busy('you already have questions waiting'));
    const full = this.active >= this.limits.maxConcurrent;
    if (full && this.waiting.length >= this.limits.maxQueued) return Promise.reject(this.busy('Docent is answering many questions'));
    this.take(user);
    if (!full) {
      this.active++;
      return Promise.resolve(this.slot(user));
    }
    return new Promise<() => void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        user,
        grant: () => {
          settle();
          resolve(this.slot(user));
        },
      };
      const leave = (err: Error): void => {
        const i = this.waiting.indexOf(waiter);
        if (i < 0) return; // already granted
        this.waiting.splice(i, 1);
        settle();
        this.give(user);
        reject(err);
      };
      const onAbort = (): void => leave(abortError(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      const maxWait = boundOf(this.limits.maxWaitMs, maxWaitMs);
      if (maxWait > 0) {
        timer = setTimeout(() => leave(this.busy(`no answer slot came free within ${Math.round(maxWait / 1000)} s`)), maxWait);
        timer.unref?.();
      }
      this.waiting.push(waiter);
    });
  }

  get stats(): { active: number; queued: number } {
    return { active: this.active, queued: this.waiting.length };
  }

  /** A granted slot's release function (idempotent): hands the slot to the first waiter, else frees it. */
  private slot(user: string): () => void {
    const started = Date.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.recent.push(Date.now() - started);
      if (this.recent.length > 50) this.recent.shift();
      this.give(user);
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.active--;
    };
  }

  private take(user: string): void {
    if (user) this.perUser.set(user, (this.perUser.get(user) ?? 0) + 1);
  }

  private give(user: string): void {
    if (!user) return;
    const n = (this.perUser.get(user) ?? 1) - 1;
    if (n <= 0) this.perUser.delete(user);
    else this.perUser.set(user, n);
  }

  private busy(why: string): DocentError {
    const avgMs = this.recent.length ? this.recent.reduce((a, b) => a + b, 0) / this.recent.length : 5000;
    const seconds = Math.max(5, Math.ceil(((this.waiting.length / this.limits.maxConcurrent + 1) * avgMs) / 1000));
    return new DocentError('busy', 'user', `${why}; please try again in ${seconds} s.`, { hint: '' });
  }
}

/** The tighter of two optional wait bounds (0 or undefined: no bound); 0 when neither bounds. */
function boundOf(a: number | undefined, b: number | undefined): number {
  const set = [a, b].filter((x): x is number => x !== undefined && x > 0);
  return set.length ? Math.max(1, Math.min(...set)) : 0;
}
