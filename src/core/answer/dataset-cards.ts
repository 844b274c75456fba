/**
 * Dataset cards: when a question asks for data ("is there data on elk?", "which datasets cover fire since
 * 2015?"), the answer lists the catalog records it found as cards built by code from their metadata — never by
 * a model — so a title, a period or a link is exactly what the record says. Pure: adapters render the cards
 * (Slack sections, Discord embeds, terminal text, `ask --json`).
 */
import { decodeLinks, isCatalogRecord, periodLabel } from '../record-fields.js';
import type { RetrievedPassage } from './ports.js';
import type { Citation, DatasetCard, DatasetDownload, Passage } from './types.js';

export const SUMMARY_MAX = 160;
/** Discord shows at most 10 embeds per message; no answer needs more cards than that. */
export const MAX_CARDS = 10;
/** Links per card: enough for every form a hub offers (CSV, ZIP, GeoJSON, KML, services…), bounded. */
const MAX_DOWNLOADS = 8;
const TITLE_MAX = 200;

/** Nouns for data a catalog lists. */
const DATA_NOUN =
  /\b(data|datasets?|data\s+sets?|databases?|geodatabases?|gis|layers?|shapefiles?|rasters?|feature\s+class(?:es)?|maps?|records?|metadata|csv|geojson|kml|kmz|inventor(?:y|ies)|surveys?|time\s+series|downloads?)\b/i;
/** Words that look for something to have or get, rather than ask how to do something with it. */
const SEEKING = /\b(is\s+there|are\s+there|any|which|what|where|find|list|show|get|download|looking\s+for|need|have|has|available|cover(?:s|ing)?|exists?)\b/i;
/** "How do I cite your data?" and "why…" are about using data, not finding it. */
const HOW_TO = /^\s*(?:how\s+(?:do|can|should|would|to)\b|why\b)/i;

/**
 * True when the question asks for data rather than about something: a data noun and a seeking word ("is there
 * data on elk?", "which layers show grazing?", "where can I download roads?"), and not a how-to question.
 */
export function asksForData(question: string): boolean {
  return DATA_NOUN.test(question) && SEEKING.test(question) && !HOW_TO.test(question);
}

/**
 * Cards for the catalog records among the passages, in passage order, one per record (a long record's second
 * chunk adds no card). `hits` carry the records' fields; `passages` give the numbers the user sees.
 */
export function buildDatasetCards(hits: readonly RetrievedPassage[], passages: readonly Passage[], max = MAX_CARDS): DatasetCard[] {
  const numberOf = new Map(passages.map((p) => [p.chunkId, p.n]));
  const cards: DatasetCard[] = [];
  const seen = new Set<string>();
  for (const hit of hits) {
    const n = numberOf.get(hit.id);
    if (n === undefined || !isCatalogRecord(hit.kind) || seen.has(hit.sourceId)) continue;
    seen.add(hit.sourceId);
    cards.push(cardOf(hit, n));
    if (cards.length >= max) break;
  }
  return cards;
}

function cardOf(hit: RetrievedPassage, n: number): DatasetCard {
  const fields = hit.fields ?? {};
  const landingUrl = httpUrl(fields['landingPage']) ?? httpUrl(hit.url);
  const downloads: DatasetDownload[] = [];
  const urls = new Set(landingUrl ? [landingUrl] : []);
  for (const link of decodeLinks(fields['downloads'])) {
    const url = httpUrl(link.url);
    if (!url || urls.has(url)) continue;
    urls.add(url);
    downloads.push({ format: plain(link.format, 60) || 'Link', url });
    if (downloads.length >= MAX_DOWNLOADS) break;
  }
  const listed = (fields['formats'] ?? '').split('\n').map((f) => plain(f, 60)).filter(Boolean);
  const formats = listed.length ? listed : [...new Set(downloads.map((d) => d.format).filter((f) => f !== 'Link'))];
  const title = plain(hit.title, TITLE_MAX);
  return {
    n,
    title,
    summary: summaryOf(hit.text, title),
    period: plain(periodLabel(fields) ?? fields['timePeriod'] ?? fields['temporal'] ?? '', 120) || null,
    updated: isoDay(hit.modified ?? null),
    publisher: plain(fields['publisher'] ?? '', 200) || null,
    formats,
    landingUrl,
    downloads,
  };
}

/**
 * Cards renumbered the way the answer cites (citations are numbered in order of first citation, so passage 3
 * may read [1]): a cited record takes its citation's number, the others follow in passage order; cards are
 * returned in that order, so they read in the order the answer mentions them.
 */
export function numberByCitation(cards: readonly DatasetCard[], citations: readonly Citation[]): DatasetCard[] {
  const byPassage = new Map(citations.map((c) => [c.passage, c.n]));
  let next = Math.max(0, ...citations.map((c) => c.n));
  return cards
    .map((card) => ({ ...card, n: byPassage.get(card.n) ?? ++next }))
    .sort((a, b) => a.n - b.n);
}

/**
 * One line from the passage: its text without the header the chunker folds into a record's chunk (title,
 * "Keywords: …"), the first sentence, or as many words as fit in SUMMARY_MAX with an ellipsis.
 */
export function summaryOf(text: string, title: string): string {
  const lines = text.split('\n');
  let i = 0;
  if (plain(lines[0] ?? '', TITLE_MAX) === title) i++;
  if (/^Keywords: /.test(lines[i] ?? '')) i++;
  const body = plain(lines.slice(i).join(' '), 4000);
  if (!body || body === title) return '';
  const sentence = /^.+?[.!?](?=\s+[A-Z0-9"“(]|$)/u.exec(body)?.[0] ?? body;
  if (sentence.length <= SUMMARY_MAX) return sentence;
  const cut = sentence.slice(0, SUMMARY_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > SUMMARY_MAX / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}

/** Plain text: tags and control characters out, whitespace collapsed, at most `max` characters. */
function plain(s: string, max: number): string {
  const t = s
    .replace(/<[^>]*>/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length <= max ? t : `${t.slice(0, max - 1).trimEnd()}…`;
}

/** An http(s) URL with a host, normalised by the URL parser (spaces and quotes percent-encoded); else null. */
function httpUrl(raw: string | null | undefined): string | null {
  const u = raw?.trim();
  if (!u || !/^https?:\/\/[^\s/?#]/i.test(u)) return null;
  try {
    const parsed = new URL(u);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

function isoDay(modified: string | null): string | null {
  const m = modified ? /^\d{4}-\d{2}-\d{2}/.exec(modified) : null;
  return m ? m[0] : null;
}
