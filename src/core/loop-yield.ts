/**
 * Cooperative yielding for long synchronous loops on the serving thread. `await` on an already-resolved promise
 * (a synchronous embedder's embedDocuments, say) runs as a microtask and never lets the event loop turn: a loop
 * of such awaits is one long block, however it is written — measured 3–4 s in a reindex of the PostgreSQL
 * manual, with Discord acknowledgements due within 3 s. A loop calls `maybeYield()` between bounded steps; it
 * gives the loop a turn (setImmediate: timers and I/O run first) once `budgetMs` of work has passed since the
 * last turn, and costs one clock read otherwise.
 */
export function loopYielder(budgetMs = 20): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < budgetMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}
