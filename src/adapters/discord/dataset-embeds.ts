import { embedLength, type APIEmbed, type APIEmbedField } from 'discord.js';
import type { DatasetCard } from '../../core/answer/types.js';
import { cardFacts, clip } from '../shared/card-parts.js';
import { httpUrl } from '../shared/untrusted-text.js';
import { escapeInline } from './sanitize.js';

/**
 * Dataset cards on Discord: one rich embed per card on the answer's last message, or — where embeds cannot
 * be shown — the same content as Markdown lines in the message text.
 *
 *   ┃ [2] Elk GPS Collar Locations, Blue Mountains            (title, linked to the landing page)
 *   ┃ GPS collar data recording elk movement across the…      (description: the summary)
 *   ┃ Period  2016-01-01 to 2021-12-31   Updated  2022-03-01   (inline fields)
 *   ┃ Publisher  Blue Mountains Wildlife Program   Formats  CSV, GeoJSON
 *   ┃ Downloads
 *   ┃ CSV: <https://data.example.org/download/elk.csv>
 *
 * Titles, summaries, publishers, periods and format names are untrusted (shared/untrusted-text.ts): escaped
 * as Markdown (embed descriptions and field values render Markdown, masked links included) with URLs defanged,
 * so `[click](http://evil)` in a title is text. The only links are the embed's `url` (the record's landing
 * page) and the download URLs, both http(s) checked by core and again here.
 */

/**
 * Discord's embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits):
 * 10 embeds per message; title 256 characters, description 4096, 25 fields, field name 256, field value 1024,
 * footer 2048, author name 256; and 6000 characters in all across every embed of the message (title,
 * description, field names and values, footer text and author name). Over any of them the API answers 400.
 */
export const EMBED_LIMITS = {
  perMessage: 10, total: 6000, title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, authorName: 256,
} as const;

export interface CardEmbeds {
  embeds: APIEmbed[];
  /** Cards left out because the message could not hold them (10 embeds, 6000 characters). */
  omitted: number;
}

/** How much of a card an embed shows; shrunk step by step until all embeds fit in 6000 characters. */
interface Shape {
  card: DatasetCard;
  downloads: number;
  summary: boolean;
}

/**
 * Embeds for the cards, within every limit above. When they would not fit in 6000 characters, download lines
 * go first (from the longest list: the landing page still leads to them), then summaries from the last card
 * back, then whole cards from the end (the least relevant: uncited ones are numbered last).
 */
export function cardEmbeds(cards: readonly DatasetCard[]): CardEmbeds {
  const shapes: Shape[] = cards.slice(0, EMBED_LIMITS.perMessage).map((card) => ({ card, downloads: card.downloads.length, summary: true }));
  const embeds = shapes.map(embedOf);
  const lengths = embeds.map(embedLength);
  let total = lengths.reduce((sum, n) => sum + n, 0);
  while (shapes.length && total > EMBED_LIMITS.total) {
    const i = nextToShrink(shapes);
    if (i === undefined) {
      shapes.pop();
      embeds.pop();
      total -= lengths.pop()!;
      continue;
    }
    const shape = shapes[i]!;
    if (shape.downloads > 0) shape.downloads--;
    else shape.summary = false;
    embeds[i] = embedOf(shape);
    total -= lengths[i]!;
    lengths[i] = embedLength(embeds[i]!);
    total += lengths[i]!;
  }
  return { embeds, omitted: cards.length - shapes.length };
}

/** The embed that gives up something next: the one with the most download lines, else the last with a summary. */
function nextToShrink(shapes: readonly Shape[]): number | undefined {
  let most: number | undefined;
  shapes.forEach((s, i) => {
    if (s.downloads > 0 && (most === undefined || s.downloads >= shapes[most]!.downloads)) most = i;
  });
  if (most !== undefined) return most;
  for (let i = shapes.length - 1; i >= 0; i--) if (shapes[i]!.summary && shapes[i]!.card.summary) return i;
  return undefined;
}

function embedOf(s: Shape): APIEmbed {
  const { card } = s;
  const url = linkUrl(card.landingUrl);
  const fields: APIEmbedField[] = cardFacts(card).map((f) => ({ name: f.label, value: clip(text(f.value), EMBED_LIMITS.fieldValue), inline: true }));
  const downloads = downloadsValue(card, s.downloads);
  if (downloads) fields.push({ name: 'Downloads', value: downloads, inline: false });
  const description = s.summary ? clip(text(card.summary), EMBED_LIMITS.description) : '';
  return {
    title: clip(`[${card.n}] ${text(card.title) || 'Untitled'}`, EMBED_LIMITS.title),
    ...(url ? { url } : {}),
    ...(description ? { description } : {}),
    ...(fields.length ? { fields: fields.slice(0, EMBED_LIMITS.fields) } : {}),
  };
}

/**
 * `format: <url>` lines for the first `keep` downloads, as many as fit in a field value, then "+N more on the
 * record page" for the rest; '' when none is kept.
 */
function downloadsValue(card: DatasetCard, keep: number): string {
  const lines: string[] = [];
  const all = card.downloads.flatMap((d) => {
    const url = linkUrl(d.url);
    return url ? [`${text(d.format) || 'Link'}: <${url}>`] : [];
  });
  for (const line of all.slice(0, keep)) {
    const rest = all.length - lines.length - 1;
    const note = rest > 0 ? `\n+${rest} more on the record page` : '';
    if ([...lines, line].join('\n').length + note.length > EMBED_LIMITS.fieldValue) break;
    lines.push(line);
  }
  if (!lines.length) return '';
  const rest = all.length - lines.length;
  return rest > 0 ? `${lines.join('\n')}\n+${rest} more on the record page` : lines.join('\n');
}

/** The heading of the Markdown card list; history cuts a bot message there (as at the source list). */
export const DATASETS_HEADING = '**Datasets**';

/**
 * The cards as Markdown, for where embeds cannot be shown (the bot lacks Embed Links in the channel, which
 * makes Discord drop a bot's embeds silently):
 *
 *     **Datasets**
 *     [2] [Elk GPS Collar Locations, Blue Mountains](<https://data.example.org/datasets/elk-gps-collars>)
 *     GPS collar data recording elk movement across the Blue Mountains of northeast Oregon.
 *     Period: 2016-01-01 to 2021-12-31 · Updated: 2022-03-01 · Publisher: Blue Mountains Wildlife Program · Formats: CSV, GeoJSON
 *     CSV: <https://data.example.org/download/elk-gps-collars.csv>
 *
 * Links are wrapped in `<>` (no previews; the message keeps SuppressEmbeds). The splitter cuts the message
 * text at lines and paragraphs, so a long list spills into the next message like any text.
 */
export function cardsMarkdown(cards: readonly DatasetCard[]): string {
  if (!cards.length) return '';
  const blocks = cards.map((card) => {
    const title = text(card.title) || 'Untitled';
    const url = linkUrl(card.landingUrl);
    const lines = [`[${card.n}] ${url ? `[${title}](<${url}>)` : title}`];
    if (card.summary) lines.push(text(card.summary));
    const facts = cardFacts(card).map((f) => `${f.label}: ${text(f.value)}`);
    if (facts.length) lines.push(facts.join(' · '));
    for (const d of card.downloads) {
      const u = linkUrl(d.url);
      if (u) lines.push(`${text(d.format) || 'Link'}: <${u}>`);
    }
    return lines.join('\n');
  });
  return `${DATASETS_HEADING}\n${blocks.join('\n\n')}`;
}

/** Untrusted text for embed Markdown: one line, escaped, URLs defanged, no mention syntax. */
function text(s: string): string {
  return escapeInline(s.replace(/\s+/g, ' ').trim());
}

/**
 * A card URL fit to be a link: http(s) only, and with the characters that would end `<…>` or `(…)` early
 * percent-encoded (core normalises URLs, so this is a second guard).
 */
function linkUrl(url: string | null): string | null {
  const ok = httpUrl(url);
  if (!ok) return null;
  return ok.replace(/[\s<>()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
