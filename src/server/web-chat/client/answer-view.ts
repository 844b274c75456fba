import { renderCards } from './cards.js';
import { button, el } from './dom.js';
import { citationHref, linkTo } from './links.js';
import { renderAnswer, sourceAnchor } from './markdown.js';
import type { Citation, FinishInfo, Passage } from './wire.js';

export interface AnswerActions {
  /** Sends 👍/👎 for the answer; resolves to a sentence to show (thanks, or why it failed). */
  vote(answerId: string, vote: 'up' | 'down'): Promise<{ ok: boolean; message: string }>;
  /** Copies the `/?q=` link for the question; resolves to a sentence to show. */
  copyLink(question: string): Promise<string>;
}

/** How an answer ended, as `data-state` on its <article> (the stylesheet and the tests read it). */
export type AnswerState = 'streaming' | 'done' | 'stopped' | 'error';

let answers = 0;

/**
 * One question and its answer in the conversation list. The answer text is re-rendered from the whole text so
 * far at most once per frame while it streams (Markdown can change meaning as it grows: a `**` closes later),
 * and once more at `finish` with the citation links. `aria-busy` is true while it streams, so a screen reader in
 * the polite live region reads the answer once it is complete instead of every few words.
 */
export class AnswerView {
  readonly element: HTMLLIElement;
  private readonly article: HTMLElement;
  private readonly body: HTMLDivElement;
  private readonly status: HTMLParagraphElement;
  private readonly prefix: string;
  private text = '';
  private answerId: string | null = null;
  private frame = 0;

  constructor(readonly question: string, private readonly actions: AnswerActions) {
    answers += 1;
    this.prefix = `a${answers}`;
    this.body = el('div', { className: 'answer-body' });
    this.status = el('p', { className: 'answer-status', text: 'Searching the catalog…' });
    this.article = el('article', { className: 'answer', attrs: { 'data-state': 'streaming', 'aria-busy': 'true', 'aria-label': 'Answer' } }, this.body, this.status);
    this.element = el('li', { className: 'turn' }, el('p', { className: 'question' }, el('span', { className: 'visually-hidden', text: 'You asked: ' }), question), this.article);
  }

  get state(): AnswerState {
    return this.article.dataset.state as AnswerState;
  }

  setAnswerId(id: string): void {
    this.answerId = id;
  }

  sources(passages: readonly Passage[]): void {
    this.status.textContent = passages.length ? `Found ${passages.length} passage${passages.length === 1 ? '' : 's'}; writing the answer…` : 'Writing the answer…';
  }

  appendText(delta: string): void {
    this.text += delta;
    this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      if (this.state === 'streaming') renderAnswer(this.body, this.text);
    });
  }

  /** The complete answer: the final text (authoritative) with citation links, sources, cards, who answered. */
  finish(info: FinishInfo): void {
    this.text = info.text;
    renderAnswer(this.body, info.text, { citations: info.citations, prefix: this.prefix });
    this.status.remove();
    if (info.citations.length) this.article.append(this.sourceList(info.citations));
    if (info.cards?.length) this.article.append(renderCards(info.cards));
    this.article.append(el('p', { className: 'answer-meta', text: describeBackend(info) }));
    if (info.backend === 'extractive') this.article.append(el('p', { className: 'answer-note', text: 'Quoted excerpts; set HF_TOKEN for written answers.' }));
    this.article.append(this.actionBar());
    this.settle('done');
  }

  /** The server's polite sentence (or ours, for a lost connection); the partial text, if any, stays. */
  error(message: string): void {
    this.status.textContent = message;
    this.status.className = 'answer-status answer-error';
    this.settle('error');
  }

  stopped(): void {
    this.status.textContent = this.text ? 'Stopped. The answer above is incomplete.' : 'Stopped.';
    this.settle('stopped');
  }

  /** The answer's text as far as it got (for the conversation history). */
  get answerText(): string {
    return this.text;
  }

  private settle(state: AnswerState): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    if (state !== 'done' && this.text) renderAnswer(this.body, this.text);
    this.article.dataset.state = state;
    this.article.setAttribute('aria-busy', 'false');
  }

  private sourceList(citations: readonly Citation[]): HTMLElement {
    const list = el('ol', { className: 'sources' });
    for (const c of citations) {
      const href = citationHref(c);
      const item = el('li', { attrs: { id: sourceAnchor(this.prefix, c.n), value: String(c.n) } });
      item.append(href ? linkTo(href, c.title || c.sourceId, 'source-link') : el('span', { className: 'source-title', text: c.title || c.sourceId }));
      if (!href && c.path) item.append(' — ', el('code', { text: c.path }));
      if (c.page !== null) item.append(`, page ${c.page}`);
      list.append(item);
    }
    return el('section', { className: 'citations', attrs: { 'aria-label': 'Sources' } }, el('h3', { text: 'Sources' }), list);
  }

  private actionBar(): HTMLElement {
    const note = el('span', { className: 'action-note', attrs: { role: 'status' } });
    const bar = el('div', { className: 'answer-actions' });
    const voteButton = (vote: 'up' | 'down', label: string, symbol: string): HTMLButtonElement => {
      const b = button(symbol, () => void this.sendVote(vote, b, bar, note), 'vote');
      b.setAttribute('aria-label', label);
      b.setAttribute('aria-pressed', 'false');
      b.dataset.vote = vote;
      return b;
    };
    const copy = button('Copy link', () => void this.actions.copyLink(this.question).then((m) => (note.textContent = m)), 'copy-link');
    if (this.answerId) bar.append(voteButton('up', 'Helpful', '👍'), voteButton('down', 'Not helpful', '👎'));
    bar.append(copy, note);
    return bar;
  }

  private async sendVote(vote: 'up' | 'down', pressed: HTMLButtonElement, bar: HTMLElement, note: HTMLElement): Promise<void> {
    if (!this.answerId) return;
    const result = await this.actions.vote(this.answerId, vote);
    note.textContent = result.message;
    if (!result.ok) return;
    for (const b of bar.querySelectorAll<HTMLButtonElement>('button.vote')) b.setAttribute('aria-pressed', String(b === pressed));
  }
}

/** "Answered by quoted excerpts (no LLM) · 120 ms", "Answered by hf:… after ollama failed", "From the cache". */
export function describeBackend(info: FinishInfo): string {
  if (info.notFound) return 'Nothing in the catalog matched closely enough to answer.';
  const who = info.backend === 'extractive' ? 'quoted excerpts (no LLM)' : info.backend;
  const parts = [info.cached ? `From the cache (first answered by ${who})` : `Answered by ${who}`];
  if (info.fallbacks.length) parts.push(`after ${info.fallbacks.map((f) => f.backend).join(', ')} failed`);
  parts.push(`${Math.round(info.timings.totalMs)} ms`);
  return parts.join(' · ');
}
