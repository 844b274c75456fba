import type { DatasetCard } from '../../core/answer/types.js';
import { httpUrl, stripControls, terminalText } from '../shared/untrusted-text.js';

/**
 * Dataset cards as plain terminal text, one block per card:
 *
 *   [2] Elk Winter Range
 *       Winter range polygons for elk in northeast Oregon.
 *       Period: 2015 to present · Updated: 2024-06-01 · Publisher: U.S. Forest Service
 *       Formats: CSV, GeoJSON
 *       Page: https://example.org/elk
 *       CSV: https://example.org/elk.csv
 *
 * `[n]` is the passage number the answer's citation markers use. The record's own http(s) links are printed as
 * they are (they are the card's links, like citation links); every other string is untrusted text: control
 * sequences dropped and URLs defanged, so a title cannot carry a link or a terminal escape. No Markdown links: a
 * terminal shows `[x](url)` as typed.
 */
export function formatCards(cards: readonly DatasetCard[]): string {
  return cards.map(cardBlock).join('\n\n');
}

function cardBlock(card: DatasetCard): string {
  const lines = [`[${card.n}] ${text(card.title)}`];
  if (card.summary) lines.push(`    ${text(card.summary)}`);
  const facts = [
    card.period && `Period: ${text(card.period)}`,
    card.updated && `Updated: ${text(card.updated)}`,
    card.publisher && `Publisher: ${text(card.publisher)}`,
  ].filter(Boolean);
  if (facts.length) lines.push(`    ${facts.join(' · ')}`);
  if (card.formats.length) lines.push(`    Formats: ${card.formats.map(text).join(', ')}`);
  const page = link(card.landingUrl);
  if (page) lines.push(`    Page: ${page}`);
  for (const d of card.downloads) {
    const url = link(d.url);
    if (url) lines.push(`    ${text(d.format)}: ${url}`);
  }
  return lines.join('\n');
}

/** One line of untrusted text. */
function text(s: string): string {
  return terminalText(s).replace(/\s+/g, ' ').trim();
}

/** A card link, printed as is when it is http(s); nothing otherwise (core already drops others). */
function link(url: string | null): string | null {
  const u = httpUrl(url);
  return u ? stripControls(u).replace(/\s/g, encodeURIComponent) : null;
}
