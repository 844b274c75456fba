import { escapeHtml } from '../status-page.js';
import type { WebChatBundle } from './bundle.js';

export interface PageSettings {
  /** Page heading and <title>. */
  title: string;
  /** What the catalog is called in sentences ("the document catalog"). */
  catalogName: string;
  /** WEB_CHAT_TOKEN is set: the page shows its sign-in form before anything can be asked. */
  tokenRequired: boolean;
  /** No LLM is configured: every answer is quoted excerpts (the page says so, once, in plain words). */
  excerptsOnly: boolean;
}

/**
 * The chat page's HTML: a shell the client script (client/main.ts) fills. Everything it needs is on this origin
 * (the CSP allows nothing else). Settings reach the script as `data-` attributes on <body> — read-only facts,
 * never secrets. The ask form is a plain GET form for `/?q=`, so even without the script the URL it produces is
 * the shareable link.
 */
export function renderPage(s: PageSettings, bundle: WebChatBundle): string {
  const title = escapeHtml(s.title);
  const catalog = escapeHtml(s.catalogName);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="stylesheet" href="${bundle.style.url}">
<script src="${bundle.script.url}" defer></script>
</head>
<body data-token-required="${s.tokenRequired}" data-excerpts-only="${s.excerptsOnly}">
<a class="skip" href="#question">Skip to the question</a>
<header class="top">
  <h1>${title}</h1>
  <p class="tagline">Ask about ${catalog}. Answers cite the records and pages they come from.</p>
  <nav><a href="/status">Status</a></nav>
</header>
<main id="main">
  <form id="login" class="login" hidden>
    <h2>Sign in</h2>
    <p>This catalog is private. Enter the access token you were given.</p>
    <label for="token">Access token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required>
    <button type="submit">Sign in</button>
    <p id="login-error" class="login-error" role="alert"></p>
  </form>
  <p id="excerpts-note" class="excerpts-note"${s.excerptsOnly ? '' : ' hidden'}>No language model is configured: answers are quoted excerpts; set HF_TOKEN for written answers.</p>
  <p id="intro" class="intro">Ask a question, then follow up — the conversation is kept until you start a new one.</p>
  <ol id="conversation" class="conversation" aria-live="polite" aria-label="Conversation"></ol>
</main>
<footer class="composer">
  <form id="ask" class="ask" action="/" method="get">
    <label for="question" class="visually-hidden">Your question</label>
    <textarea id="question" name="q" rows="2" maxlength="2000" required placeholder="Ask a question about ${catalog}…" enterkeyhint="send"></textarea>
    <div class="ask-buttons">
      <button type="submit" id="send" class="primary">Ask</button>
      <button type="button" id="stop" hidden>Stop</button>
      <button type="button" id="new-conversation">New conversation</button>
    </div>
  </form>
  <p id="notice" class="notice" role="status"></p>
</footer>
<noscript><p class="noscript">The chat needs JavaScript. <a href="/status">The status page</a> works without it.</p></noscript>
</body>
</html>
`;
}
