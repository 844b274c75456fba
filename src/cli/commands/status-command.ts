import type { Command } from 'commander';
import { redactUrl } from '../../core/redact-url.js';
import { readManifest, indexPaths } from '../../indexing/index-files.js';
import { redactPerSource, redactSkipped } from '../../indexing/redact-loaded.js';
import { resolveEmbedder } from '../../runtime/embedder-factory.js';
import { cliContext, type GlobalOptions } from '../context.js';
import { terminalJson } from '../../adapters/console/render.js';

/** `docent status`: what is indexed, when, with which embedder — read from the manifest, no server needed. */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('Show the index: documents, chunks, embedder, last index time, sources')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { config, logger } = cliContext(cmd.optsWithGlobals<GlobalOptions>());
      const manifest = readManifest(config.dataDir);
      // Without an index, `auto` has not chosen yet; resolving it here would start a model download.
      const active = manifest || config.embedder.provider !== 'auto'
        ? await resolveEmbedder(config, manifest, logger)
        : { embedder: { id: 'auto (chosen at the first `docent index`)', dimension: 0, close: undefined }, reason: 'no index yet', fallback: false };
      const status = {
        dataDir: indexPaths(config.dataDir).root,
        indexed: manifest !== null,
        version: manifest?.version ?? null,
        documents: manifest?.documents ?? 0,
        chunks: manifest?.chunks ?? 0,
        builtAt: manifest?.builtAt ?? null,
        checkedAt: manifest?.checkedAt ?? null,
        indexEmbedder: manifest?.embedder ?? null,
        activeEmbedder: { id: active.embedder.id, dimension: active.embedder.dimension, reason: active.reason, fallback: active.fallback },
        embedderMatches: manifest ? manifest.embedder.id === active.embedder.id && manifest.embedder.dimension === active.embedder.dimension : null,
        // Source URLs and a Chroma URL may carry credentials; an index built before redaction still holds them.
        chroma: redactUrl(config.chroma.url) || `embedded (files in ${indexPaths(config.dataDir).chromaDir})`,
        reranker: config.retrieval.reranker === 'auto'
          ? `auto: ${active.embedder.id.startsWith('word-vectors:') ? 'word-vectors (soft-match)' : 'none'}`
          : config.retrieval.reranker,
        sources: redactPerSource(manifest?.perSource ?? {}),
        lastRun: manifest ? { ...manifest.lastRun, skipped: manifest.lastRun.skipped.map(redactSkipped) } : null,
      };
      await active.embedder.close?.();
      if (opts.json) {
        process.stdout.write(`${terminalJson(status)}\n`);
        return;
      }
      const lines = [`Data dir:  ${status.dataDir}`];
      if (!manifest) lines.push('Index:     none yet — run `docent index`');
      else {
        lines.push(`Index:     version ${manifest.version}, ${manifest.documents} documents, ${manifest.chunks} chunks`);
        lines.push(`Built:     ${manifest.builtAt} (last checked ${manifest.checkedAt}, last run ${manifest.lastRun.seconds.toFixed(1)} s, ${manifest.lastRun.skipped.length} skipped)`);
        lines.push(`Built with: ${manifest.embedder.id} (${manifest.embedder.dimension}-d)`);
      }
      lines.push(`Embedder:  ${status.activeEmbedder.id} — ${status.activeEmbedder.reason}${active.fallback ? ' [no-download fallback: lower quality]' : ''}`);
      if (status.embedderMatches === false) lines.push('           ! differs from the index: run `docent index` to rebuild');
      lines.push(`Chroma:    ${status.chroma}`, `Reranker:  ${status.reranker}`, 'Sources:');
      for (const [root, n] of Object.entries(status.sources)) lines.push(`  ${root}: ${n.documents} documents, ${n.chunks} chunks`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
