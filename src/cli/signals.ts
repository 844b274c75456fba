import { constants } from 'node:os';

/**
 * Who handles SIGINT and SIGTERM in the `docent` process — decided here, by the composition root, and nowhere
 * else. (The Chroma supervisor used to install its own handlers and re-raise the signal when nobody else
 * listened, so runtime/shutdown.ts had to keep its listeners installed to stop it ending the process first.)
 *
 * - One-shot commands (`index`, `search`, `ask`, `chat`, …) get `exitOnSignals`: the process exits at once with
 *   the conventional code (130 for Ctrl-C, 143 for SIGTERM). Exiting (rather than dying of the signal) runs the
 *   'exit' hooks: the embedded Chroma server is sent SIGTERM by its supervisor's hook, and an index lock left
 *   behind is stale by its pid (index-lock.ts), so the next run takes it.
 * - `docent start` as a service takes the signals over for its graceful shutdown (`handOverSignals`), and gives
 *   them back when it has stopped.
 */
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

function exitForSignal(signal: NodeJS.Signals): void {
  process.exit(128 + (constants.signals[signal] ?? 1));
}

export function exitOnSignals(): void {
  for (const s of SIGNALS) if (!process.listeners(s).includes(exitForSignal)) process.on(s, exitForSignal);
}

/** Removes the plain exit for a caller with its own shutdown; returns the function that puts it back. */
export function handOverSignals(): () => void {
  const had = SIGNALS.filter((s) => process.listeners(s).includes(exitForSignal));
  for (const s of had) process.off(s, exitForSignal);
  return () => {
    for (const s of had) if (!process.listeners(s).includes(exitForSignal)) process.on(s, exitForSignal);
  };
}
