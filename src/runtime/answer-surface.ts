import type { AnswerSurface } from '../../commands/services.js';

/**
 * The surface of a question whose caller did not name it (`ask(question, { surface })`), from the asker id's
 * shape: the web chat API asks as `web:<client>`, Discord user ids are snowflakes (17–20 digits), Slack's are
 * `U…`/`W…`, and the terminal chat asks without an id. A guess, kept only until every adapter passes its surface;
 * it never affects the answer, only a row of the insights report.
 */
export function guessSurface(askerId: string | undefined): AnswerSurface {
  if (askerId === undefined || askerId === '') return 'console';
  if (askerId.startsWith('web:')) return 'web';
  if (/^\d{15,21}$/.test(askerId)) return 'discord';
  if (/^[UW][A-Z0-9]{6,}$/.test(askerId)) return 'slack';
  return 'unknown';
}
