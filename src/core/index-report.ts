/**
 * What an index run tells the people who started it — progress while it runs, a report when it ends. Core
 * vocabulary so commands, adapters and the CLI can show a run without importing the indexer; the indexer's
 * `IndexSummary` extends the report with what only the runtime needs.
 */

export interface IndexProgress {
  phase: 'load' | 'embed' | 'store';
  done: number;
  total: number;
}

export interface IndexReport {
  /** False when the content was identical to the serving index, which was kept as is. */
  changed: boolean;
  version: number;
  documents: number;
  chunks: number;
  /** Files and URLs that were not indexed, and why. */
  skipped: Array<{ location: string; reason: string }>;
  /** Notes that are not failures, e.g. a URL served from its last good copy. */
  notes: string[];
  seconds: number;
  perSource: Record<string, { documents: number; chunks: number }>;
  /** Documents compared with the serving version: new, changed (content hash differs) and withdrawn. */
  diff: { added: number; changed: number; removed: number };
}
