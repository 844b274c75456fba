import type { Chunk, Filter } from '../core/types.js';

/**
 * In-process evaluation of a Filter, with the same meaning as the Chroma `where` translation
 * (src/stores/chroma-filter.ts): used by the keyword index and the memory store.
 */
export function matchesFilter(chunk: Chunk, filter: Filter | undefined): boolean {
  if (!filter) return true;
  if (filter.sources?.length && !filter.sources.some((s) => s === chunk.sourceRoot || s === chunk.sourceId)) return false;
  if (filter.kinds?.length && !filter.kinds.includes(chunk.kind)) return false;
  if (filter.keyword) {
    const k = filter.keyword.toLowerCase();
    if (!chunk.keywords.some((kw) => kw.toLowerCase() === k)) return false;
  }
  if (filter.modifiedAfter || filter.modifiedBefore) {
    if (!chunk.modified) return false;
    const t = Date.parse(chunk.modified);
    if (filter.modifiedAfter && t < Date.parse(filter.modifiedAfter)) return false;
    if (filter.modifiedBefore && t > Date.parse(filter.modifiedBefore)) return false;
  }
  return true;
}
