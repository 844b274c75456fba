import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Filter, DocumentKind } from '../../core/types.js';
import type { RetrievedHit } from '../../rag/hybrid-retriever.js';
import { terminalJson } from '../../adapters/console/render.js';
import { formatDegraded, formatHits } from '../../adapters/console/search-text.js';
import { readManifest } from '../../indexing/index-files.js';
import { resolveEmbedder } from '../../runtime/embedder-factory.js';
import type { Reranker } from '../../core/ports/reranker.js';
import { createReranker } from '../../runtime/reranker-factory.js';
import { openSearchService } from '../../runtime/search-service.js';
import { openVectorStores } from '../../runtime/vector-stores.js';
import { cliContext, type GlobalOptions } from '../context.js';
import { requireIndex } from '../require-index.js';

/** The document kinds a filter can name (core/types.ts DocumentKind); `--kind` accepts only these. */
export const KINDS: readonly DocumentKind[] = ['pdf', 'markdown', 'text', 'html', 'dcat', 'fgdc'];

interface SearchOptions {
  k?: number;
  json?: boolean;
  source?: string[];
  kind?: string[];
  keyword?: string;
  after?: string;
  before?: string;
  mode?: 'keyword' | 'vector' | 'hybrid';
}

export function registerSearchCommand(program: Command): void {
  program
    .command('search <query>')
    .description('Search the index (hybrid keyword + vector) and print the best passages')
    // Flags are checked before anything opens: `--k abc` or `--kind foo` used to search and print "No matches."
    .option('-k, --k <n>', 'number of hits (1–100)', parseK)
    .option('--json', 'print {hits: [{id, sourceId, title, page, url, score, text, kind, alsoIn}], degraded: [{part, reason}]}')
    .option('--source <source...>', 'only these sources (a source root, or a full source id: root/path)')
    .addOption(new Option('--kind <kind...>', 'only these kinds').choices(KINDS))
    .option('--keyword <keyword>', 'only records with this catalog keyword')
    .option('--after <date>', 'only documents modified on or after this ISO date (YYYY-MM-DD)', parseDate)
    .option('--before <date>', 'only documents modified on or before this ISO date (YYYY-MM-DD)', parseDate)
    .addOption(new Option('--mode <mode>', 'one retriever only (default: hybrid)').choices(['keyword', 'vector', 'hybrid']))
    .action(async (query: string, opts: SearchOptions, cmd: Command) => {
      const { config, logger } = cliContext(cmd.optsWithGlobals<GlobalOptions>());
      const k = opts.k ?? config.retrieval.k;
      // No index: say so before resolving the embedder, which would try to download a model first.
      requireIndex(config.dataDir);
      const stores = await openVectorStores(config, logger);
      let reranker: Reranker | undefined;
      try {
        const embedder = await resolveEmbedder(config, readManifest(config.dataDir), logger);
        reranker = await createReranker(config, logger, embedder.embedder.id);
        const { retriever } = await openSearchService(config, { stores, embedder, reranker, logger });
        const { hits, degraded } = await retriever.search(query, { k, filter: toFilter(opts), ...(opts.mode ? { mode: opts.mode } : {}) });
        // Hits quote documents: the text output drops control characters and defangs URLs (console/search-text.ts);
        // --json keeps the data exact but escapes every control character, so printing it is as safe.
        if (opts.json) process.stdout.write(`${terminalJson({ hits: hits.map(toJson), degraded })}\n`);
        else process.stdout.write(formatHits(hits) + formatDegraded(degraded));
      } finally {
        await reranker?.close?.();
        await stores.close();
      }
    });
}

function parseK(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 100) throw new InvalidArgumentError('It must be a whole number from 1 to 100.');
  return n;
}

function parseDate(raw: string): string {
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(Date.parse(raw))) throw new InvalidArgumentError('It must be an ISO date such as 2024-01-31.');
  return raw;
}

function toFilter(o: SearchOptions): Filter | undefined {
  const f: Filter = {};
  if (o.source?.length) f.sources = o.source;
  if (o.kind?.length) f.kinds = o.kind as DocumentKind[];
  if (o.keyword) f.keyword = o.keyword;
  if (o.after) f.modifiedAfter = o.after;
  if (o.before) f.modifiedBefore = o.before;
  return Object.keys(f).length ? f : undefined;
}

function toJson(h: RetrievedHit) {
  return { id: h.id, sourceId: h.sourceId, title: h.title, page: h.page, url: h.url, score: Number(h.score.toFixed(6)), text: h.text, kind: h.kind, alsoIn: h.alsoIn };
}
