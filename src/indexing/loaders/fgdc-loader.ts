/**
 * FGDC CSDGM metadata records (the classic geospatial metadata XML): one document per file.
 * CSDGM lets most elements repeat, and real records differ in which ones they use, so every lookup goes
 * through `all()` / `first()` instead of assuming a shape.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { LoadError } from '../../core/errors.js';
import { distinctLines, encodeLinks, periodFromDates, periodFromRange, type PeriodFields, type RecordLink } from '../../core/record-fields.js';
import type { DocumentRecord } from '../../core/types.js';
import { buildDocument, collapseWhitespace, isoDay, locationOf, readText, tidyText, titleFromName } from './document.js';
import type { FileLoader, LoaderInput } from './loader.js';

type Node = unknown;

const parser = new XMLParser({
  ignoreAttributes: true,
  // Keep "20260206" and "-151.13" as written: they are dates and coordinates, not numbers to reformat.
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Reliability: pin the entity limits instead of trusting library defaults. External (SYSTEM) entities are
  // rejected by the parser, nested entity bombs stay literal, and a large entity referenced many times stops
  // at maxExpandedLength; all of these become a skip reason (test/reliability/bad-input.test.ts).
  processEntities: { enabled: true, maxEntitySize: 10_000, maxExpandedLength: 100_000 },
  htmlEntities: false,
});

const USE_CONSTRAINTS_MAX = 300;

/** Every value at a path; each step may hold one element or a repeated list of them. */
function all(node: Node, path: string): Node[] {
  let current: Node[] = [node];
  for (const key of path.split('/')) {
    const next: Node[] = [];
    for (const n of current) {
      if (n === null || typeof n !== 'object' || Array.isArray(n)) continue;
      const v = (n as Record<string, Node>)[key];
      if (v === undefined) continue;
      if (Array.isArray(v)) next.push(...v);
      else next.push(v);
    }
    current = next;
  }
  return current;
}

/** Text of an element: plain string, or the #text of an element that also has children. */
function textOf(v: Node): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v && typeof v === 'object' && !Array.isArray(v)) return textOf((v as Record<string, Node>)['#text']);
  return '';
}

/** All non-empty texts at a path, whitespace collapsed. */
function texts(node: Node, path: string): string[] {
  return all(node, path)
    .map((v) => collapseWhitespace(textOf(v)))
    .filter((s) => s !== '');
}

function first(node: Node, path: string): string {
  return texts(node, path)[0] ?? '';
}

/** Multi-line text (abstracts) keeps its paragraph breaks. */
function paragraph(node: Node, path: string): string {
  const v = all(node, path)[0];
  return v === undefined ? '' : tidyText(textOf(v));
}

/** Every value of the given element names anywhere below `node`, in document order. */
function deepTexts(node: Node, names: Set<string>, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const n of node) deepTexts(n, names, out);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as Record<string, Node>)) {
      if (names.has(k)) for (const item of Array.isArray(v) ? v : [v]) out.push(collapseWhitespace(textOf(item)));
      else deepTexts(v, names, out);
    }
  }
  return out.filter((s) => s !== '');
}

/** Drops repeats, keeping the first spelling; `foldCase` for keywords, not for URLs (paths are case-sensitive). */
function unique(values: string[], foldCase = true): string[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = foldCase ? v.toLowerCase() : v;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const dateText = (s: string): string => isoDay(s) ?? s;

function timePeriod(idinfo: Node): string {
  const info = all(idinfo, 'timeperd/timeinfo')[0];
  if (info === undefined) return '';
  const single = texts(info, 'sngdate/caldate');
  if (single.length) return single.map(dateText).join(', ');
  const range = all(info, 'rngdates')[0];
  if (range !== undefined) {
    const begin = first(range, 'begdate');
    const end = first(range, 'enddate');
    if (begin || end) return `${dateText(begin)}–${dateText(end)}`;
  }
  return texts(info, 'mdattim/sngdate/caldate').map(dateText).join(', ');
}

/** The period as card and filter fields: a range's begin and end, or the span of single or multiple dates. */
function periodFields(idinfo: Node): PeriodFields {
  const info = all(idinfo, 'timeperd/timeinfo')[0];
  const range = all(info, 'rngdates')[0];
  if (range !== undefined) return periodFromRange(first(range, 'begdate'), first(range, 'enddate'));
  return periodFromDates([...texts(info, 'sngdate/caldate'), ...texts(info, 'mdattim/sngdate/caldate')]);
}

/**
 * Distribution forms (distinfo/stdorder/digform): each one's format name and its online links. "Digital Data"
 * is what many records put in formname when they have no format to name; it is no format, so it is dropped.
 */
function digitalForms(meta: Node): { formats: string[]; links: RecordLink[] } {
  const formats: string[] = [];
  const links: RecordLink[] = [];
  for (const form of all(meta, 'distinfo/stdorder/digform')) {
    const name = first(form, 'digtinfo/formname');
    const format = /^digital data$/i.test(name) ? '' : name;
    if (format) formats.push(format);
    for (const url of unique(texts(form, 'digtopt/onlinopt/computer/networka/networkr'), false)) links.push({ format, url });
  }
  return { formats, links };
}

/** One line per distinct contact: organisation, person, e-mail, phone (only when it holds digits). */
function contacts(meta: Node): string {
  const lines = [...all(meta, 'idinfo/ptcontac/cntinfo'), ...all(meta, 'metainfo/metc/cntinfo')].map((c) => {
    const org = first(c, 'cntorgp/cntorg') || first(c, 'cntperp/cntorg');
    const person = first(c, 'cntorgp/cntper') || first(c, 'cntperp/cntper');
    const phone = texts(c, 'cntvoice').filter((v) => /\d/.test(v));
    return [org, person, ...texts(c, 'cntemail'), ...phone].filter(Boolean).join('; ');
  });
  return unique(lines.filter(Boolean)).join('\n');
}

function bbox(idinfo: Node): string {
  const b = all(idinfo, 'spdom/bounding')[0];
  if (b === undefined) return '';
  const parts = ['westbc', 'southbc', 'eastbc', 'northbc'].map((k) => first(b, k));
  return parts.every(Boolean) ? parts.join(',') : '';
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`;
}

function parseRecord(input: LoaderInput): Node {
  const location = locationOf(input);
  const xml = readText(input);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line } = valid.err;
    throw new LoadError(location, `malformed XML: ${msg} (line ${line})`);
  }
  let doc: Node;
  try {
    doc = parser.parse(xml);
  } catch (err) {
    throw new LoadError(location, `malformed XML: ${(err as Error).message}`, err);
  }
  const meta = all(doc, 'metadata')[0];
  if (all(meta, 'idinfo')[0] === undefined) throw new LoadError(location, 'not an FGDC CSDGM record');
  return meta;
}

/** Loads one FGDC CSDGM record. sourceId is the XML file's path relative to the source root. */
export const fgdcLoader: FileLoader = {
  extensions: ['.xml'],
  async load(input: LoaderInput): Promise<DocumentRecord[]> {
    const meta = parseRecord(input);
    const idinfo = all(meta, 'idinfo')[0];
    const cite = all(idinfo, 'citation/citeinfo')[0];
    const title = first(cite, 'title') || titleFromName(input.relPath);
    const abstract = paragraph(idinfo, 'descript/abstract');
    const purpose = paragraph(idinfo, 'descript/purpose');
    const supplemental = paragraph(idinfo, 'descript/supplinf');
    const text = [abstract, purpose && `Purpose: ${purpose}`, supplemental && `Supplemental information: ${supplemental}`]
      .filter(Boolean)
      .join('\n\n');
    const keywords = unique([...texts(idinfo, 'keywords/theme/themekey'), ...texts(idinfo, 'keywords/place/placekey')])
      .filter((k) => k.toLowerCase() !== 'none');
    const links = unique(deepTexts(meta, new Set(['onlink', 'networkr'])), false);
    const forms = digitalForms(meta);
    const landingPage = texts(cite, 'onlink').find((l) => /^https?:\/\//i.test(l)) ?? '';
    return [
      buildDocument({
        sourceId: input.relPath,
        sourceRoot: input.sourceRoot,
        kind: 'fgdc',
        title,
        // Some records carry no description at all; the title keeps them findable.
        text: text || title,
        url: links.find((l) => /^https?:\/\//i.test(l)) ?? input.url ?? null,
        path: input.absPath,
        page: null,
        // The later of metadata date and publication date: weekly-published layers often keep an old metd.
        modified: latestDay(isoDay(first(meta, 'metainfo/metd')), isoDay(first(cite, 'pubdate'))),
        keywords,
        fields: {
          bbox: bbox(idinfo),
          timePeriod: timePeriod(idinfo),
          updateFrequency: first(idinfo, 'status/update'),
          progress: first(idinfo, 'status/progress'),
          contacts: contacts(meta),
          onlineLinks: links.join('\n'),
          // The citation's publisher when it names one, else its originators (who made the data).
          publisher: first(cite, 'pubinfo/publish') || unique(texts(cite, 'origin')).join('; '),
          // Card fields (src/core/record-fields.ts).
          ...periodFields(idinfo),
          formats: distinctLines(forms.formats),
          downloads: encodeLinks(forms.links),
          landingPage,
          accessConstraints: truncate(first(idinfo, 'accconst'), USE_CONSTRAINTS_MAX),
          useConstraints: truncate(first(idinfo, 'useconst'), USE_CONSTRAINTS_MAX),
        },
      }),
    ];
  },
};

/** The later of two ISO days (YYYY-MM-DD compares correctly as text); null when both are missing. */
function latestDay(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}
