import type { Command } from 'commander';
import { terminalJson } from '../../adapters/console/render.js';
import { loadConfig } from '../../config/load-config.js';
import { DocentError } from '../../core/errors.js';
import { loadInsights } from '../../insights/load-insights.js';
import { CSV_HEADER, renderInsightsCsv } from '../../insights/render-csv.js';
import { renderInsightsText } from '../../insights/render-text.js';
import type { GlobalOptions } from '../context.js';

/**
 * `docent insights`: what a catalog maintainer reads on Monday morning — questions the catalog could not answer
 * (grouped by wording), answers rated 👎, most- and never-cited sources, questions per day and surface, and the
 * not-found, fallback and error rates — from the activity log of the data dir. Reads files only: no runtime, no
 * model, no logger (nothing but the report reaches the terminal), safe beside a running `docent start`.
 */
export function registerInsightsCommand(program: Command): void {
  program
    .command('insights')
    .description('Report on what people asked: not-found questions, 👎 answers, most/never-cited sources, questions per day')
    .option('--since <window>', 'how far back: a number of hours, days or weeks, e.g. 24h, 7d, 30d (cut to ACTIVITY_RETENTION_DAYS)', '7d')
    .option('--json', 'print the whole report as JSON')
    .option('--csv', `print one CSV table: the not-found question groups and the answers rated 👎, told apart by its "kind" column (not-found | thumbs-down); columns: ${CSV_HEADER.join(', ')}`)
    .addHelpText('after', '\nThe same report is served at /insights by `docent start` (behind STATUS_TOKEN, like /status). User ids are never shown, only counted.')
    .action(async (opts: { since: string; json?: boolean; csv?: boolean }, cmd: Command) => {
      if (opts.json && opts.csv) throw new DocentError('insights_format', 'user', 'choose one of --json and --csv');
      const config = loadConfig({ overrides: { dataDir: cmd.optsWithGlobals<GlobalOptions>().dataDir } });
      const report = await loadInsights(config, { since: opts.since });
      if (opts.json) process.stdout.write(`${terminalJson(report)}\n`);
      else if (opts.csv) process.stdout.write(renderInsightsCsv(report));
      else process.stdout.write(renderInsightsText(report));
    });
}
