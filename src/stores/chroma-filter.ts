/**
 * Pure translation of Docent's `Filter` into a Chroma `where` clause, plus the small helpers (keyword
 * normalisation, date bounds) that every store must share so that all stores agree on what a filter means.
 *
 * Why keywords are boolean flag keys (`kw:<keyword>: true`) and not an array with `$contains`:
 * the chromadb 3.5 JS client accepts array metadata (`string[]`) and `$contains` on it, but the Chroma
 * server it runs here (chromadb-js-bindings 1.0.5 → server "1.0.0", pinned for glibc 2.36) rejects array
 * metadata ("data did not match any variant of untagged enum UpdateMetadataValue") and rejects `$contains`
 * on a string field ("Invalid where clause"). Flag keys work on every Chroma 1.x server and are exact matches.
 *
 * Why `coverage` (dates asked about: a record's time period, else its modified date) is not translated: the
 * period lives with the chunk's other display fields in the keyword index, which the retriever reads every vector
 * hit from anyway, so it filters the vector list there (src/rag/hybrid-retriever.ts). Putting period keys into
 * Chroma too would change what every collection holds (each record vector rewritten on upgrade, and a collection
 * built before then silently matching nothing), for a list that only adds candidates beside BM25, which applies
 * the filter exactly in SQL.
 */
import type { Where } from 'chromadb';
import { modifiedRange, normalizeKeyword, sourceIdSplits } from '../core/filter.js';
import type { Filter } from '../core/types.js';

/** Prefix of the per-keyword boolean metadata keys. */
export const KEYWORD_FLAG_PREFIX = 'kw:';

/** The metadata key that marks a chunk as carrying `keyword`. */
export function keywordFlagKey(keyword: string): string {
  return KEYWORD_FLAG_PREFIX + normalizeKeyword(keyword);
}

/**
 * Chroma `where` for a filter, or undefined when the filter constrains nothing. Empty lists mean "no
 * constraint" (a UI that sends `sources: []` means "all sources", not "none"). Conditions are ANDed; `$and`
 * and `$or` are only used with two or more operands because Chroma rejects single-element ones. `coverage` is
 * left to the retriever (see the top of this file).
 */
export function filterToWhere(filter: Filter | undefined): Where | undefined {
  if (!filter) return undefined;
  const conditions: Where[] = [];

  const sources = unique(filter.sources ?? []);
  if (sources.length > 0) conditions.push(sourcesWhere(sources));
  const kinds = unique(filter.kinds ?? []);
  if (kinds.length > 0) {
    conditions.push({ kind: { $in: kinds } });
  }
  if (filter.keyword !== undefined && normalizeKeyword(filter.keyword) !== '') {
    conditions.push({ [keywordFlagKey(filter.keyword)]: { $eq: true } });
  }
  const { from, to } = modifiedRange(filter);
  // Chunks without a parseable `modified` have no modifiedTs key, so any date bound excludes them.
  if (from !== undefined) conditions.push({ modifiedTs: { $gte: from } });
  if (to !== undefined) conditions.push({ modifiedTs: { $lte: to } });

  if (conditions.length === 0) return undefined;
  if (conditions.length === 1) return conditions[0];
  return { $and: conditions };
}

/**
 * Chunks whose source root is one of `sources`, or whose full source id (root/id, see fullSourceId) is. Chroma
 * cannot join two fields, so a full id becomes one (root, id) pair per place it could be split (sourceIdSplits):
 * exact, and a bare file name matches nothing.
 */
function sourcesWhere(sources: string[]): Where {
  const pairs = sources.flatMap((s) => sourceIdSplits(s)).map(({ root, id }): Where => {
    const byRoot: Where = { sourceRoot: { $eq: root } };
    const byId: Where = { sourceId: { $eq: id } };
    return { $and: [byRoot, byId] };
  });
  const byRoot: Where = { sourceRoot: { $in: sources } };
  return pairs.length === 0 ? byRoot : { $or: [byRoot, ...pairs] };
}

/** Where clause selecting every chunk of one source (by root or by id), for deleteBySource. */
export function sourceWhere(source: string): Where {
  return { $or: [{ sourceRoot: { $eq: source } }, { sourceId: { $eq: source } }] };
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
