import { el } from './dom.js';
import { httpUrl, linkTo } from './links.js';
import type { DatasetCard } from './wire.js';

/**
 * Dataset cards (issue 11): the catalog records an answer about data found, built by the server from record
 * metadata, never by a model. The same facts in the same order as the other surfaces (src/adapters/shared/
 * card-parts.ts): title (linked to the record's page), summary, period, updated, publisher, formats, downloads.
 * Every string is set as text; only http(s) URLs become links.
 */
export function renderCards(cards: readonly DatasetCard[]): HTMLElement {
  const list = el('ul', { className: 'cards' });
  for (const card of cards) list.append(renderCard(card));
  return el('section', { className: 'datasets', attrs: { 'aria-label': 'Datasets' } }, el('h3', { text: 'Datasets' }), list);
}

function renderCard(card: DatasetCard): HTMLElement {
  const page = httpUrl(card.landingUrl);
  const title = el('h4', { className: 'card-title' }, el('span', { className: 'card-number', text: `[${card.n}] ` }), page ? linkTo(page, card.title) : card.title);
  const item = el('li', { className: 'card' }, title);
  if (card.summary) item.append(el('p', { className: 'card-summary', text: card.summary }));
  const facts: Array<[string, string | null]> = [
    ['Period', card.period], ['Updated', card.updated], ['Publisher', card.publisher], ['Formats', card.formats.join(', ') || null],
  ];
  const shown = facts.filter((f): f is [string, string] => Boolean(f[1]?.trim()));
  if (shown.length) {
    const dl = el('dl', { className: 'card-facts' });
    for (const [label, value] of shown) dl.append(el('dt', { text: label }), el('dd', { text: value }));
    item.append(dl);
  }
  const downloads = card.downloads.map((d) => ({ format: d.format, url: httpUrl(d.url) })).filter((d): d is { format: string; url: string } => d.url !== null);
  if (downloads.length) {
    const links = el('p', { className: 'card-downloads' }, 'Download: ');
    downloads.forEach((d, i) => links.append(...(i ? [' · '] : []), linkTo(d.url, d.format || 'file')));
    item.append(links);
  }
  return item;
}
