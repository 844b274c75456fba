/**
 * What an indexing run keeps of a source with credentials in its URL: the documents, skips and notes with
 * the URL redacted (core/redact-url.ts). The fetch itself used the full URL; from here on — manifest, document
 * cache, keyword index, vector store, citations, skip lists, logs — only the redacted form exists, so nothing
 * downstream has to remember to redact.
 */
import type { DocumentRecord } from '../core/types.js';
import { hasUrlSecrets, redactUrl, redactUrlsInText, scrubSecrets, urlSecrets } from '../core/redact-url.js';
import { buildDocument } from './loaders/document.js';
import type { SkippedItem } from './loaders/loader.js';

export interface LoadedRedactor {
  /** Whether the location carries secrets at all (when not, everything below is the identity). */
  readonly active: boolean;
  text(t: string): string;
  doc(d: DocumentRecord): DocumentRecord;
  skip(s: SkippedItem): SkippedItem;
}

const IDENTITY: LoadedRedactor = { active: false, text: (t) => t, doc: (d) => d, skip: (s) => s };

/**
 * A redactor for what one source location produced. Besides URLs, the secret values themselves are scrubbed
 * from titles, text and fields: a server that echoes its key (a feed's "next" link, an error page) would
 * otherwise put it into a quoted passage.
 */
export function redactorFor(location: string): LoadedRedactor {
  if (!hasUrlSecrets(location)) return IDENTITY;
  const secrets = urlSecrets(location);
  const text = (t: string) => scrubSecrets(redactUrlsInText(t), secrets);
  const url = (u: string) => scrubSecrets(redactUrl(u), secrets);
  return {
    active: true,
    text,
    doc(d) {
      const { contentHash: _old, ...draft } = d;
      // Rebuilt so the content hash matches what is stored (the hash covers the URL and the text).
      return buildDocument({
        ...draft,
        sourceRoot: url(d.sourceRoot),
        sourceId: url(d.sourceId),
        url: d.url === null ? null : url(d.url),
        title: text(d.title),
        text: text(d.text),
        keywords: d.keywords.map(text),
        fields: Object.fromEntries(Object.entries(d.fields).map(([k, v]) => [k, text(v)])),
      });
    },
    skip: (s) => ({ ...s, location: text(s.location), reason: text(s.reason) }),
  };
}

/** A skip with any URL in it redacted (for lists written before redaction, or reasons that quote a URL). */
export function redactSkipped(s: SkippedItem): SkippedItem {
  return { ...s, location: redactUrlsInText(s.location), reason: redactUrlsInText(s.reason) };
}

/** Per-source counts keyed by the redacted source. */
export function redactPerSource<T>(perSource: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(perSource).map(([source, n]) => [redactUrl(source), n]));
}

/**
 * An index summary as it may be printed or posted (`docent index`, the admin reindex reply). The run already
 * redacts what it keeps; this is the last check at the edge, where a leak would become public.
 */
export function redactSummary<S extends { perSource: Record<string, unknown>; skipped: SkippedItem[]; notes: string[] }>(s: S): S {
  return { ...s, perSource: redactPerSource(s.perSource), skipped: s.skipped.map(redactSkipped), notes: s.notes.map(redactUrlsInText) };
}
