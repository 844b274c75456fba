import type { DocentConfig } from '../../config/schema.js';
import { readActivityEntries } from './activity-entries.js';
import { readCatalogRecords } from './catalog-records.js';
import { computeInsights, type InsightsReport } from './insights-report.js';
import { reportWindow } from './report-window.js';

/**
 * The one way both `docent insights` and the `/insights` page build a report: the activity log and the index
 * of `config.dataDir`, the configured retention, `since` (default 7d). Reads files only; nothing is written.
 */
export async function loadInsights(config: Pick<DocentConfig, 'dataDir' | 'activity'>, opts: { since?: string; now?: number } = {}): Promise<InsightsReport> {
  const window = reportWindow(opts.since ?? '7d', config.activity.retentionDays, opts.now ?? Date.now());
  const entries = await readActivityEntries(config.dataDir);
  return computeInsights(entries, readCatalogRecords(config.dataDir), window);
}
