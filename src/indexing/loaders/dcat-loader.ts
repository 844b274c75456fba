/**
 * DCAT-US 1.1 catalog feeds (data.json): one document per dataset. Descriptions often carry raw HTML, so
 * they go through html-to-text. A dataset without a title or identifier is skipped on its own; the rest of
 * the feed still loads.
 */
import { LoadError } from '../../core/errors.js';
import { distinctLines, encodeLinks, periodFromTemporal, type RecordLink } from '../../core/record-fields.js';
import type { DocumentRecord } from '../../core/types.js';
import { buildDocument, collapseWhitespace, isoDay, locationOf, readText } from './document.js';
import { decodeLeftoverEntities, htmlToPlainText } from './html-text.js';
import type { FileLoader, LoadContext, LoaderInput } from './loader.js';

type Json = Record<string, unknown>;

function str(v: unknown): string {
  if (typeof v === 'string') return collapseWhitespace(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

function obj(v: unknown): Json {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

function strings(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map(str).filter((s) => s !== '');
}

/** "title: url" per distribution, preferring the direct download over the access page. */
function distributionLines(dists: unknown[]): string[] {
  const lines: string[] = [];
  for (const d of dists.map(obj)) {
    const url = str(d['downloadURL']) || str(d['accessURL']);
    if (!url) continue;
    const label = str(d['title']) || str(d['format']) || str(d['mediaType']);
    lines.push(label ? `${label}: ${url}` : url);
  }
  return lines;
}

// Short names for the media types DCAT feeds use when a distribution gives no `format`.
const MEDIA_FORMATS: Record<string, string> = {
  'text/csv': 'CSV', 'application/zip': 'ZIP', 'application/json': 'JSON', 'application/geo+json': 'GeoJSON',
  'application/vnd.geo+json': 'GeoJSON', 'application/vnd.google-earth.kml+xml': 'KML', 'application/vnd.google-earth.kmz': 'KMZ',
  'text/xml': 'XML', 'application/xml': 'XML', 'application/pdf': 'PDF', 'text/html': 'HTML', 'application/vnd.ms-excel': 'XLS',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'XLSX', 'text/plain': 'TXT', 'application/vnd.ogc.wms_xml': 'OGC WMS',
};

/** A distribution's format name: `format`, else a short media type, else its title ("Shapefile Download" → "Shapefile"). */
function formatOf(d: Json): string {
  const media = str(d['mediaType']).toLowerCase();
  return str(d['format']) || MEDIA_FORMATS[media] || media || str(d['title']).replace(/\s+download$/i, '');
}

/** A page for people (the hub's "Web Page", an untyped link titled "Project page"), not a form of the data. */
function isWebPage(d: Json): boolean {
  const untyped = !str(d['format']) && !str(d['mediaType']);
  return /^web ?page$/i.test(str(d['format'])) || str(d['mediaType']).toLowerCase() === 'text/html'
    || (untyped && /\b(page|website|site|portal|home)\b/i.test(str(d['title'])));
}

/**
 * Card links, one per distribution: its format (a metadata document keeps its title, "ISO-19139 metadata", which
 * says more than "XML") and its download URL, else its access URL. The landing page is a card field of its own,
 * so a distribution pointing at it is left out.
 */
function downloads(dists: unknown[], landingPage: string): RecordLink[] {
  return dists.map(obj).flatMap((d) => {
    const url = str(d['downloadURL']) || str(d['accessURL']);
    if (!url || url === landingPage) return [];
    const metadata = /metadata/i.test(str(d['title']));
    return [{ format: metadata ? str(d['title']) : formatOf(d), url }];
  });
}

/** The formats the data itself comes in (with a link): web pages and metadata documents are not formats of the data. */
function formats(dists: unknown[]): string {
  const offered = (d: Json) => Boolean(str(d['downloadURL']) || str(d['accessURL']));
  return distinctLines(dists.map(obj).filter((d) => offered(d) && !isWebPage(d) && !/metadata/i.test(str(d['title']))).map(formatOf));
}

function firstDistributionUrl(dists: unknown[]): string | null {
  for (const d of dists.map(obj)) {
    const url = str(d['accessURL']) || str(d['downloadURL']);
    if (/^https?:\/\//i.test(url)) return url;
  }
  return null;
}

function contact(cp: Json): string {
  const email = str(cp['hasEmail']).replace(/^mailto:/i, '');
  return [str(cp['fn']), email].filter(Boolean).join(', ');
}

/** `spatial` is usually a bbox string but may be a GeoJSON object; keep it as flat text either way. */
function spatial(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return collapseWhitespace(v);
  try {
    return JSON.stringify(v);
  } catch {
    // Reliability fix: a hostile value nested thousands deep overflows JSON.stringify's stack; drop the field.
    return '';
  }
}

function parseFeed(input: LoaderInput): unknown[] {
  const location = locationOf(input);
  let feed: unknown;
  try {
    feed = JSON.parse(readText(input));
  } catch (err) {
    if (err instanceof LoadError) throw err;
    throw new LoadError(location, `malformed JSON: ${(err as Error).message}`, err);
  }
  const datasets = obj(feed)['dataset'];
  if (!Array.isArray(datasets)) throw new LoadError(location, 'not a DCAT-US catalog (no dataset array)');
  return datasets;
}

/** Converts one dataset; returns a skip reason instead when it lacks what a document needs. */
function datasetToDocument(ds: Json, input: LoaderInput): DocumentRecord | string {
  const title = str(ds['title']);
  const identifier = str(ds['identifier']);
  if (!title) return 'has no title';
  if (!identifier) return 'has no identifier';
  const dists = Array.isArray(ds['distribution']) ? (ds['distribution'] as unknown[]) : [];
  const landingPage = str(ds['landingPage']);
  const description = typeof ds['description'] === 'string' ? decodeLeftoverEntities(htmlToPlainText(ds['description'])) : '';
  const temporal = str(ds['temporal']);
  return buildDocument({
    sourceId: identifier,
    sourceRoot: input.sourceRoot,
    kind: 'dcat',
    title,
    // A record without a description is still findable by its title and keywords.
    text: description || title,
    url: /^https?:\/\//i.test(landingPage) ? landingPage : firstDistributionUrl(dists),
    path: input.absPath,
    page: null,
    modified: isoDay(str(ds['modified'])),
    keywords: [...new Set(strings(ds['keyword']))],
    fields: {
      identifier,
      publisher: str(obj(ds['publisher'])['name']),
      landingPage,
      distributions: distributionLines(dists).join('\n'),
      // Card fields (src/core/record-fields.ts).
      downloads: encodeLinks(downloads(dists, landingPage)),
      formats: formats(dists),
      temporal,
      ...(temporal ? periodFromTemporal(temporal) : {}),
      issued: str(ds['issued']),
      accessLevel: str(ds['accessLevel']),
      spatial: spatial(ds['spatial']),
      contact: contact(obj(ds['contactPoint'])),
      license: str(ds['license']),
    },
  });
}

/** Loads a DCAT-US feed. Bad or duplicate datasets are reported through `ctx.onSkip`. */
export const dcatLoader: FileLoader = {
  extensions: ['.json'],
  async load(input: LoaderInput, ctx?: Pick<LoadContext, 'onSkip'>): Promise<DocumentRecord[]> {
    const location = locationOf(input);
    const datasets = parseFeed(input);
    const docs: DocumentRecord[] = [];
    const seen = new Set<string>();
    datasets.forEach((raw, i) => {
      let result: DocumentRecord | string;
      try {
        result = datasetToDocument(obj(raw), input);
      } catch (err) {
        // Reliability fix: one hostile dataset (e.g. a field nested 10,000 deep) must not cost the whole feed.
        result = `could not be read: ${err instanceof Error ? err.message : String(err)}`;
      }
      let reason: string | null = typeof result === 'string' ? result : null;
      // Two records with one identifier would overwrite each other's chunks; keep the first.
      if (typeof result !== 'string' && seen.has(result.sourceId)) reason = `repeats identifier ${result.sourceId}`;
      if (reason !== null) {
        ctx?.onSkip({ location: `${location}#dataset[${i}]`, reason: `dataset ${i} in ${input.relPath} ${reason}` });
        return;
      }
      const doc = result as DocumentRecord;
      seen.add(doc.sourceId);
      docs.push(doc);
    });
    if (docs.length === 0 && datasets.length > 0) throw new LoadError(location, 'no usable datasets in DCAT-US catalog');
    return docs;
  },
};
