import type { DatasetCard } from '../../core/answer/types.js';
import { cardFacts, clip } from '../shared/card-parts.js';
import { defuseLinks } from '../shared/untrusted-text.js';
import type { Block } from './block.js';
import { defuseWords, escapeSlack, safeUrl, slackLink } from './mrkdwn.js';

/**
 * Dataset cards as Block Kit, two blocks per card:
 *
 *   section  *<https://data.example.org/datasets/elk|[2] Elk GPS Collar Locations>*
 *            GPS collar data recording elk movement across the Blue Mountains of northeast Oregon.
 *   context  Period: 2016-01-01 to 2021-12-31 · Updated: 2022-03-01 · Publisher: Blue Mountains … · Formats: CSV, GeoJSON
 *            Download: <https://…/elk.csv|CSV> · <https://…/elk.geojson|GeoJSON>
 *
 * (The context's two lines are one text object; two, when together they would not fit in one.)
 *
 * Titles, summaries, publishers, periods and format names are untrusted (shared/untrusted-text.ts): escaped
 * (`&`, `<`, `>`), URLs defanged, `@here` broken, and every text object `verbatim` so Slack auto-links nothing.
 * The only links are `<url|label>` built here from the record's landing page and download URLs (http(s), as
 * core checked; `safeUrl` checks again).
 *
 * Limits (Block Kit reference): a section's text at most 3000 characters
 * (https://docs.slack.dev/reference/block-kit/blocks/section-block/), a context block at most 10 elements
 * (https://docs.slack.dev/reference/block-kit/blocks/context-block/), any text object 3000 characters
 * (https://docs.slack.dev/reference/block-kit/composition-objects/text-object), and at most 50 blocks in one
 * message (https://docs.slack.dev/reference/block-kit/blocks/: "You can include up to 50 blocks in each
 * message"; chat.stopStream's `blocks` have a limit of 50 of their own). Over any of them Slack answers
 * `invalid_blocks`. The caller says how many blocks the cards may take (`room`); cards that do not fit are
 * counted in a context line.
 */

/** Section and text-object text limit. */
export const CARD_TEXT_LIMIT = 3000;
/** Blocks one card takes (section + context). */
export const BLOCKS_PER_CARD = 2;

/** Blocks for the cards, never more than `room`. */
export function cardBlocks(cards: readonly DatasetCard[], room: number): Block[] {
  if (!cards.length || room <= 0) return [];
  const fits = cards.length * BLOCKS_PER_CARD <= room ? cards.length : Math.max(0, Math.floor((room - 1) / BLOCKS_PER_CARD));
  const blocks = cards.slice(0, fits).flatMap(cardOf);
  const omitted = cards.length - fits;
  if (omitted > 0 && blocks.length < room) {
    blocks.push(context(`${omitted} more matching ${omitted === 1 ? 'record is' : 'records are'} not shown as cards.`));
  }
  return blocks.slice(0, room);
}

function cardOf(card: DatasetCard): Block[] {
  const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: heading(card), verbatim: true } }];
  const facts = clip(cardFacts(card).map((f) => `${f.label}: ${text(f.value)}`).join(' · '), CARD_TEXT_LIMIT);
  const downloads = downloadLine(card, CARD_TEXT_LIMIT);
  const lines = [facts, downloads].filter(Boolean);
  // One text object, a line each; two (side by side) when together they would pass its 3000 characters.
  if (lines.join('\n').length <= CARD_TEXT_LIMIT) {
    if (lines.length) blocks.push(context(lines.join('\n')));
  } else {
    blocks.push(context(...lines));
  }
  return blocks;
}

/**
 * `*<landing|[n] title>*` and the summary under it, within the section limit: the summary is shortened
 * first, then the title; a landing URL too long to leave room for both is not linked.
 */
function heading(card: DatasetCard): string {
  const label = `[${card.n}] ${card.title.trim() || 'Untitled'}`;
  const summary = card.summary ? text(card.summary) : '';
  const url = safeUrl(card.landingUrl);
  const link = url && url.length <= CARD_TEXT_LIMIT / 2 ? card.landingUrl : null;
  let title = slackLink(link, label);
  if (title.length + 2 > CARD_TEXT_LIMIT) title = clip(slackLink(null, label), CARD_TEXT_LIMIT - 2);
  const head = `*${title}*`;
  if (!summary) return head;
  const room = CARD_TEXT_LIMIT - head.length - 1;
  return room > 1 ? `${head}\n${clip(summary, room)}` : head;
}

/** `Download: <url|CSV> · <url|GeoJSON>` with as many links as fit in `max` characters, then "+N more". */
function downloadLine(card: DatasetCard, max: number): string {
  const links = card.downloads.flatMap((d) => {
    const url = safeUrl(d.url);
    return url ? [slackLink(d.url, d.format.trim() || 'Link')] : [];
  });
  const kept: string[] = [];
  for (const l of links) {
    const rest = links.length - kept.length - 1;
    const candidate = `Download: ${[...kept, l].join(' · ')}${rest > 0 ? ` · +${rest} more` : ''}`;
    if (candidate.length > max) break;
    kept.push(l);
  }
  if (!kept.length) return '';
  const rest = links.length - kept.length;
  return `Download: ${kept.join(' · ')}${rest > 0 ? ` · +${rest} more` : ''}`;
}

function context(...mrkdwn: string[]): Block {
  return { type: 'context', elements: mrkdwn.map((t) => ({ type: 'mrkdwn', text: t, verbatim: true })) };
}

/** Untrusted text as mrkdwn: one line, escaped, links defused, no mass mention. */
function text(s: string): string {
  return defuseWords(escapeSlack(defuseLinks(s.replace(/\s+/g, ' ').trim())));
}
