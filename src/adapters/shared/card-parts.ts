import type { DatasetCard } from '../../core/answer/types.js';

/**
 * The pieces every native rendering of a dataset card is made of (Discord embeds, Slack blocks, their Markdown
 * fallbacks), so the platforms show the same facts in the same order. Values are the card's raw strings —
 * untrusted text that each surface escapes and defangs its own way (see untrusted-text.ts); URLs are never in
 * here, each surface links them itself from `landingUrl` and `downloads` only.
 */

export type CardFactLabel = 'Period' | 'Updated' | 'Publisher' | 'Formats';

export interface CardFact {
  label: CardFactLabel;
  value: string;
}

/** Period, Updated, Publisher, Formats — those the card has, in that order. */
export function cardFacts(card: DatasetCard): CardFact[] {
  const facts: Array<CardFact | null> = [
    card.period ? { label: 'Period', value: card.period } : null,
    card.updated ? { label: 'Updated', value: card.updated } : null,
    card.publisher ? { label: 'Publisher', value: card.publisher } : null,
    card.formats.length ? { label: 'Formats', value: card.formats.join(', ') } : null,
  ];
  return facts.filter((f): f is CardFact => f !== null && f.value.trim() !== '');
}

/**
 * `text` cut to at most `max` UTF-16 units with an ellipsis (platforms count characters; a UTF-16 length is
 * never below the character count, so this errs on the safe side). Never ends between the halves of a
 * surrogate pair, nor right after a lone backslash (which would escape the ellipsis).
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  cut = cut.replace(/(?<!\\)((?:\\\\)*)\\$/, '$1');
  return `${cut.trimEnd()}…`;
}
