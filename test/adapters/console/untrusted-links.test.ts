/**
 * Issue 14 in the terminal: the console chat answering from a catalog planted with links (hostile-catalog.ts)
 * through the real pipeline. A terminal shows Markdown as typed, so `[x](url)` is text already; what it must not
 * print is a URL it would make clickable (defanged instead) or a control sequence — an OSC 8 hyperlink hides
 * its target. The record's own https URL is printed as the citation.
 */
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import { runConsoleChat } from '../../../src/adapters/console/console-chat.js';
import { formatCitations } from '../../../src/adapters/console/render.js';
import { ANSWERED_QUESTION, EVIL_URL, hostileServices, LINK_QUESTION, RECORD_URL } from '../hostile-catalog.js';

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

async function chat(lines: string[]): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (d: Buffer) => (printed += d.toString('utf8')));
  const done = runConsoleChat({ services: hostileServices().services, commands: commandList, input, output, logger: pino({ level: 'silent' }) });
  input.end(`${lines.join('\n')}\n`);
  await done;
  return printed;
}

describe('terminal: no links from untrusted text', () => {
  it('prints the answer, the not-found titles, the echoed question and source names without a followable URL', async () => {
    const printed = await chat([ANSWERED_QUESTION, LINK_QUESTION, ':sources']);
    // The citation: the record's own URL, after its title shown as text.
    expect(printed).toContain(`[1] [click](hxxp://evil.example) — ${RECORD_URL}`);
    expect(printed).toContain('hxxps://evil.example/raw');
    expect(printed).toContain('> [x](hxxp://evil)');
    expect(printed).toContain('"[click](hxxp://evil.example)", "Trail maps <javascript:alert(1)>"');
    // Command replies are shown as plain text (no backticks, console/terminal-help.ts): the name stays defanged.
    expect(printed).toContain('[src](hxxp://evil.example/source)');
    expect(printed).not.toContain('http://evil.example/source');
    expect(printed).not.toMatch(EVIL_URL);
    expect(printed).not.toMatch(CONTROL);
  });

  it('drops control sequences from titles and prints no non-http record URL', () => {
    const out = formatCitations([
      { n: 1, passage: 1, title: '\u001b]8;;http://evil.example\u001b\\Trail maps\u001b]8;;\u001b\\', sourceId: 's1', url: RECORD_URL, path: null, page: 2 },
      { n: 2, passage: 2, title: 'Maps', sourceId: 'catalog/maps.xml', url: 'javascript:alert(1)', path: null, page: null },
    ]);
    expect(out).toBe(`Sources:\n  [1] ]8;;hxxp://evil.example\\Trail maps]8;;\\ — ${RECORD_URL} (page 2)\n  [2] Maps — catalog/maps.xml`);
    expect(out).not.toMatch(CONTROL);
  });
});
