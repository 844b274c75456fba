import { DocentError } from '../errors.js';

export interface AdmissionLimits {
  /** Answers produced at the same time (retrieval + generation). */
  maxConcurrent: number;
  /** Questions waiting for a slot; beyond this a question is refused at once with "busy". */
  maxQueued: number;
  /** One person's questions in flight or waiting; beyond this their next one is refused. */
  perUser: number;
}

/**
 * A bounded queue in front of the answer pipeline: a burst of questions waits its turn instead of overloading
 * the LLM, Chroma and memory, and past capacity a question is refused at once with how long to wait — never
 * dropped silently. One user cannot take every slot.
 */
export class AdmissionControl {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly perUser = new Map<string, number>();
  /** Recent answer durations (ms), for the "try again in N s" estimate. */
  private readonly recent: number[] = [];

  constructor(private readonly limits: AdmissionLimits) {}

  /**
   * Waits for a slot and returns its release function, or throws a DocentError `busy` (category user, with the
   * suggested wait) when the queue or the user's share is full.
   */
  async admit(userId: string | undefined): Promise<() => void> {
    const user = userId ?? '';
    const mine = user ? (this.perUser.get(user) ?? 0) : 0;
    if (user && mine >= this.limits.perUser) throw this.busy('you already have questions waiting');
    if (this.active >= this.limits.maxConcurrent && this.waiting.length >= this.limits.maxQueued) throw this.busy('Docent is answering many questions');
    if (user) this.perUser.set(user, mine + 1);
    if (this.active >= this.limits.maxConcurrent) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    const started = Date.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.recent.push(Date.now() - started);
      if (this.recent.length > 50) this.recent.shift();
      if (user) {
        const n = (this.perUser.get(user) ?? 1) - 1;
        if (n <= 0) this.perUser.delete(user);
        else this.perUser.set(user, n);
      }
      this.waiting.shift()?.();
    };
  }

  get stats(): { active: number; queued: number } {
    return { active: this.active, queued: this.waiting.length };
  }

  private busy(why: string): DocentError {
    const avgMs = this.recent.length ? this.recent.reduce((a, b) => a + b, 0) / this.recent.length : 5000;
    const seconds = Math.max(5, Math.ceil(((this.waiting.length / this.limits.maxConcurrent + 1) * avgMs) / 1000));
    return new DocentError('busy', 'user', `${why}; please try again in ${seconds} s.`, { hint: '' });
  }
}
