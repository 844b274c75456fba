/**
 * Domain types shared by indexing, retrieval and (later) answering.
 * Nothing here knows about a platform SDK or a storage client.
 */

/** What kind of thing a document came from; used for filters and for citation rendering. */
export type DocumentKind = 'pdf' | 'markdown' | 'text' | 'html' | 'dcat' | 'fgdc';

/**
 * One loaded document (a PDF page, a Markdown file, a catalog record) with its provenance.
 * Loaders yield these; the chunker splits them; every chunk keeps the provenance.
 */
export interface DocumentRecord {
  /**
   * Stable id of the document within its source: the DCAT `identifier`, or the file path relative to the
   * source root (POSIX separators). PDF pages share their file's sourceId and differ by `page`.
   */
  sourceId: string;
  /** The configured source (folder, file or URL) this document was loaded from, as given by the user. */
  sourceRoot: string;
  kind: DocumentKind;
  title: string;
  /** Main text, already stripped of markup. */
  text: string;
  /** Landing page / http(s) link when there is one, else null. */
  url: string | null;
  /** Absolute file path when it came from a file, else null. */
  path: string | null;
  /** 1-based physical page for PDFs, else null. */
  page: number | null;
  /** ISO-8601 date of last modification (record `modified`, or file mtime), else null. */
  modified: string | null;
  /** Catalog keywords (DCAT `keyword`, FGDC theme/place keys); empty for plain files. */
  keywords: string[];
  /** Loader-specific structured fields kept for display (publisher, bbox, contacts…). Flat strings only. */
  fields: Record<string, string>;
  /** sha256 (hex) of title + text + fields: changes whenever what we would index changes. */
  contentHash: string;
}

/** A piece of a document, the unit that is embedded, stored and retrieved. */
export interface Chunk {
  /** Stable id: derived from sourceRoot, sourceId, page and ordinal, so reindexing the same text upserts in place. */
  id: string;
  sourceId: string;
  sourceRoot: string;
  kind: DocumentKind;
  title: string;
  url: string | null;
  path: string | null;
  page: number | null;
  modified: string | null;
  keywords: string[];
  /** The text that is embedded and shown as a passage (title and keywords folded in for catalog records). */
  text: string;
  /** Position of the chunk within its document (0-based). */
  ordinal: number;
  /** sha256 of `text`; the embedding cache key together with the embedder id. */
  textHash: string;
  /**
   * The document's `fields` (publisher, time period, formats, links…; see src/core/record-fields.ts), kept with
   * the chunk so an answer can build dataset cards from a hit. Optional: chunks built before it existed and
   * hand-made test chunks have none.
   */
  fields?: Record<string, string>;
}

/** Metadata filters understood by every store and by the keyword index. All conditions are ANDed. */
export interface Filter {
  /**
   * Only chunks from these sources: each entry is a source root as configured, or a full source id (root + `/` +
   * the document's id in it, see fullSourceId in src/core/filter.ts). Never a bare file name: that could match a
   * same-named file in another source. An empty list constrains nothing (callers that mean "no sources" must not
   * search at all).
   */
  sources?: string[];
  kinds?: DocumentKind[];
  /** Only chunks whose record carries this keyword (case-insensitive exact match). */
  keyword?: string;
  /** ISO dates (inclusive) on `modified`. */
  modifiedAfter?: string;
  modifiedBefore?: string;
  /**
   * Dates asked about ("since 2015"): ISO calendar dates (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`, inclusive by
   * calendar unit), either side open. A catalog record (dcat, fgdc) passes when its time period overlaps the
   * range (an open or "present" end reaches forever); a record that states no period passes when its
   * `modified` date lies in the range; a record with neither fails. Other documents (PDF pages, Markdown,
   * HTML, text) are not filtered: their only date is the file's mtime, which says when the file was copied,
   * not what it is about. Applied by the keyword index and `matchesFilter`; vector stores ignore it and the
   * retriever filters the vector list on the chunks it reads (src/rag/hybrid-retriever.ts).
   */
  coverage?: { from?: string; to?: string };
}

export interface Scored<T> {
  item: T;
  score: number;
}

/** A retrieval hit as consumers (CLI, answer pipeline) see it. */
export interface SearchHit {
  id: string;
  sourceId: string;
  title: string;
  page: number | null;
  url: string | null;
  /** Fused (or reranked) score: higher is better; only comparable within one result list. */
  score: number;
  text: string;
  kind: DocumentKind;
  path: string | null;
}

/**
 * A part of retrieval that failed for one search, so the result came from what was left (keyword search at
 * worst). Shown to the user as a short note and reported in `finish` and `--json`.
 */
export interface Degradation {
  /** What was left out. */
  part: 'vector search' | 'reranker';
  /** Why, in one line (no secrets: provider errors are already scrubbed). */
  reason: string;
}
