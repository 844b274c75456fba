import type { Command } from 'commander';
import type { IndexSummary } from '../../indexing/indexer.js';
import { createReindexRunner } from '../../runtime/reindex-runner.js';
import { readManifest } from '../../indexing/index-files.js';
import { redactSummary } from '../../indexing/redact-loaded.js';
import { resolveEmbedder } from '../../runtime/embedder-factory.js';
import { openVectorStores } from '../../runtime/vector-stores.js';
import { cliContext, type GlobalOptions } from '../context.js';
import { progressReporter } from '../progress.js';
import { stripControls } from '../../adapters/shared/untrusted-text.js';
import { terminalJson } from '../../adapters/console/render.js';
import { acquireIndexLock, type LockHolder } from '../../indexing/index-lock.js';

export function registerIndexCommand(program: Command): void {
  program
    .command('index')
    .description('Load the sources, chunk, embed and build a new index version (unchanged content is kept as is)')
    .option('-s, --source <pathOrUrl...>', 'folder, file or data.json URL to index (repeatable); default: sources from config')
    .option('--replace', 'let a plain `docent index` drop indexed sources the configuration no longer lists')
    .option('-y, --yes', 'the same as --replace: yes, drop them')
    .option('--wait', 'when another index run is using the data dir, wait for it instead of stopping')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', '\nWithout --source, the sources of the last index are read again (unless SOURCES or config/*.yaml changed since).')
    .action(async (opts: { source?: string[]; json?: boolean; replace?: boolean; yes?: boolean; wait?: boolean }, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      // --source goes to the runner, not into the config: the config's own sources are remembered beside the
      // ones indexed, so the next plain `docent index` can tell "same as last time" from "configuration changed".
      const { config, logger } = cliContext(global);
      // The data dir's index lock before anything starts (an embedded Chroma server on the same files): a second
      // `docent index` stops here with one line naming the first, or with --wait queues behind it.
      const onWait = (h: LockHolder) => process.stderr.write(`Waiting for the index run in pid ${h.pid} (started ${h.startedAt}) to finish…\n`);
      const release = await acquireIndexLock(config.dataDir, { what: 'docent index', ...(opts.wait ? { wait: true } : {}), onWait });
      const stores = await openVectorStores(config, logger).catch((err: unknown) => {
        release();
        throw err;
      });
      const progress = progressReporter();
      try {
        const { embedder, reason } = await resolveEmbedder(config, readManifest(config.dataDir), logger);
        logger.info({ embedder: embedder.id, reason }, 'embedder');
        // The shared runner (as the schedule and the admin command use), so `status` shows this run too.
        const runner = createReindexRunner({ config, embedder, stores: stores.stores, logger, swap: async () => undefined });
        const request = { ...(opts.source?.length ? { sources: opts.source } : {}), ...(opts.replace || opts.yes ? { replace: true } : {}), lockHeld: true };
        const summary = redactSummary(await runner.run('cli', progress.onProgress, request));
        progress.stop();
        process.stdout.write(opts.json ? `${terminalJson(summary)}\n` : formatSummary(summary));
        await embedder.close?.();
      } finally {
        progress.stop();
        await stores.close();
        release();
      }
    });
}

export function formatSummary(s: IndexSummary): string {
  const lines: string[] = [];
  const what = s.changed ? `Built index version ${s.version}` : `Nothing changed; index version ${s.version} kept`;
  const embedded = s.embedded === s.chunks ? `all ${s.embedded} chunks embedded` : `${s.embedded} chunks embedded, the rest from cache`;
  lines.push(`${what}: ${s.documents} documents, ${s.chunks} chunks in ${s.seconds.toFixed(1)} s (embedder ${s.embedderId}, ${embedded}).`);
  lines.push(`  documents: ${s.diff.added} added, ${s.diff.changed} changed, ${s.diff.removed} removed since the previous version`);
  if (s.stored?.mode === 'diff') lines.push(`  vectors: ${s.stored.upserted} written and ${s.stored.deleted} deleted in the idle version's collection (the rest unchanged)`);
  for (const [root, n] of Object.entries(s.perSource)) lines.push(`  ${stripControls(root)}: ${n.documents} documents, ${n.chunks} chunks`);
  // File names, reasons and notes come from the catalog (a file can be named with escape codes): no controls.
  for (const n of s.notes) lines.push(`Note: ${stripControls(n)}`);
  if (s.skipped.length) {
    lines.push(`Skipped ${s.skipped.length}:`);
    for (const k of s.skipped) lines.push(`  ${stripControls(k.location)} — ${stripControls(k.reason)}`);
  } else {
    lines.push('Skipped: none.');
  }
  return `${lines.join('\n')}\n`;
}
