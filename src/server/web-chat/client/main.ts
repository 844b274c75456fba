import { ask, AskRefused, copyQuestionLink, sendVote } from './api.js';
import { AnswerView } from './answer-view.js';
import { checkToken, hasToken, saveToken } from './auth.js';
import type { WireTurn } from './wire.js';

/**
 * The web chat page's script (bundled by src/server/web-chat/bundle.ts). One conversation at a time: each ask
 * sends the turns so far as `history`, so a follow-up ("and in winter?") is understood; "New conversation"
 * forgets them. `/?q=<question>` asks on load (after sign-in when the catalog is private).
 */

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const form = $<HTMLFormElement>('ask');
const input = $<HTMLTextAreaElement>('question');
const send = $<HTMLButtonElement>('send');
const stop = $<HTMLButtonElement>('stop');
const fresh = $<HTMLButtonElement>('new-conversation');
const conversation = $<HTMLOListElement>('conversation');
const notice = $<HTMLParagraphElement>('notice');
const intro = $<HTMLParagraphElement>('intro');
const login = $<HTMLFormElement>('login');
const tokenInput = $<HTMLInputElement>('token');
const loginError = $<HTMLParagraphElement>('login-error');

const history: WireTurn[] = [];
let running: AbortController | null = null;
/** A `?q=` question waiting for sign-in. */
let pending: string | null = null;

function setBusy(busy: boolean): void {
  send.disabled = busy;
  stop.hidden = !busy;
  fresh.disabled = busy;
  form.setAttribute('aria-busy', String(busy));
}

async function submit(question: string): Promise<void> {
  if (running || !question) return;
  if (document.body.dataset.tokenRequired === 'true' && !hasToken()) {
    pending = question;
    return showLogin('');
  }
  intro.hidden = true;
  notice.textContent = '';
  const view = new AnswerView(question, { vote: sendVote, copyLink: copyQuestionLink });
  conversation.append(view.element);
  view.element.scrollIntoView({ block: 'start', behavior: 'smooth' });
  input.value = '';
  const controller = new AbortController();
  running = controller;
  setBusy(true);
  let answered = false;
  try {
    for await (const part of ask(question, history, controller.signal)) {
      if (part.type === 'answer') view.setAnswerId(part.answerId);
      else if (part.type === 'sources') view.sources(part.passages);
      else if (part.type === 'text-delta') view.appendText(part.text);
      else if (part.type === 'error') view.error(part.error.message);
      else if (part.type === 'finish') {
        view.finish(part.info);
        answered = true;
      }
    }
    if (view.state === 'streaming') view.error('Sorry — the answer was cut off. Please try again.');
  } catch (err) {
    if (controller.signal.aborted) view.stopped();
    else if (err instanceof AskRefused) {
      view.error(err.message);
      if (err.unauthorized) {
        saveToken(null);
        pending = question;
        showLogin('That token was not accepted. Please sign in again.');
      }
    } else view.error('Sorry — something went wrong on this page. Please try again.');
  } finally {
    running = null;
    setBusy(false);
    // A stopped answer's partial text still tells the model what was being discussed.
    if (answered || view.answerText) history.push({ role: 'user', content: question }, { role: 'assistant', content: view.answerText });
    if (login.hidden) input.focus();
  }
}

function showLogin(message: string): void {
  login.hidden = false;
  loginError.textContent = message;
  tokenInput.focus();
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void submit(input.value.trim());
});

// Enter asks, Shift+Enter starts a new line (the composer is a textarea so long questions stay readable).
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    form.requestSubmit();
  }
});

stop.addEventListener('click', () => running?.abort());

// Escape stops an answer from anywhere on the page, as Stop does.
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && running) running.abort();
});

fresh.addEventListener('click', () => {
  history.length = 0;
  conversation.replaceChildren();
  intro.hidden = false;
  notice.textContent = 'Started a new conversation.';
  input.focus();
});

login.addEventListener('submit', (e) => {
  e.preventDefault();
  const token = tokenInput.value.trim();
  if (!token) return;
  void checkToken(token).then((result) => {
    if (result === 'wrong') return void (loginError.textContent = 'That token was not accepted.');
    saveToken(token);
    tokenInput.value = '';
    login.hidden = true;
    notice.textContent = 'Signed in.';
    const q = pending;
    pending = null;
    if (q) void submit(q);
    else input.focus();
  });
});

// Shareable links: /?q=<question> asks it on load.
const shared = new URLSearchParams(location.search).get('q')?.trim();
if (shared) {
  input.value = shared;
  void submit(shared);
} else if (document.body.dataset.tokenRequired === 'true' && !hasToken()) {
  showLogin('');
} else {
  input.focus();
}
