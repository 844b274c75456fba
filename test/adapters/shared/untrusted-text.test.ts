/**
 * The shared rules for untrusted text (titles, questions, model output, excerpts, source names): what each
 * surface gets, and that the streaming form adds up to the whole however the text is cut into deltas.
 */
import { describe, expect, it } from 'vitest';
import {
  breakLinkSyntax, defangUrls, defuseLinks, discordSafeMarkdown, httpUrl, terminalText, UntrustedStream,
} from '../../../src/adapters/shared/untrusted-text.js';
import { seededRandom } from '../../helpers/seeded-random.js';

/** A masked / Markdown link whose `](` is intact: what Discord and Slack's Markdown would make a link of. */
const MARKDOWN_LINK = /(?<!\\)\[[^\]\n]*(?<!\\)\]\(/;
/** A URL any surface would linkify by itself. */
const LINKABLE_URL = /(?:https?|steam|ftp):\/\/|\bwww\./i;

describe('defangUrls', () => {
  it('breaks every scheme a client would linkify, readably, and leaves text without URLs alone', () => {
    expect(defangUrls('see http://evil.example/a and HTTPS://EVIL and 5http://x')).toBe('see hxxp://evil.example/a and HxxPS://EVIL and 5hxxp://x');
    expect(defangUrls('steam://run/1 ftp://f.example file:///etc/passwd www.evil.example')).toBe('steam[:]//run/1 ftp[:]//f.example file[:]///etc/passwd www[.]evil.example');
    expect(defangUrls('Data: annual report, 2011 (see page 3)')).toBe('Data: annual report, 2011 (see page 3)');
  });

  it('is idempotent, so text defused twice (stream, then surface) reads the same', () => {
    const once = defangUrls('http://a https://b x://c www.d');
    expect(defangUrls(once)).toBe(once);
    expect(defuseLinks(defuseLinks('[a](http://b)\n[c]: https://d'))).toBe(defuseLinks('[a](http://b)\n[c]: https://d'));
  });
});

describe('breakLinkSyntax', () => {
  it('separates `](` and a line-start `[label]:` with a zero-width space, and nothing else', () => {
    expect(breakLinkSyntax('[x](u) ![i](u) [1] [a, b]')).toBe('[x]\u200b(u) ![i]\u200b(u) [1] [a, b]');
    expect(breakLinkSyntax('[ref]: u\n   [r2]: v\nnot [a]: def')).toBe('[ref]\u200b: u\n   [r2]\u200b: v\nnot [a]: def');
  });
});

describe('httpUrl', () => {
  it('accepts only http(s) URLs with a host', () => {
    expect(httpUrl(' https://records.example.org/r/1 ')).toBe('https://records.example.org/r/1');
    for (const bad of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'file:///etc/passwd', '/relative/path', 'https://', 'http:///x', '', null, undefined]) {
      expect(httpUrl(bad), String(bad)).toBeNull();
    }
  });
});

describe('discordSafeMarkdown', () => {
  it('escapes masked links, autolinks and definitions, keeps citations and formatting, defangs URLs', () => {
    const out = discordSafeMarkdown('**Bold** [click](http://evil.example) [1] [2, 3] <https://evil.example> `[x](http://c)`\n[ref]: http://evil');
    expect(out).toBe(
      '**Bold** \\[click\\]\u200b(hxxp://evil.example) [1] [2, 3] \\<hxxps://evil.example> `[x]\u200b(hxxp://c)`\n\\[ref\\]: hxxp://evil',
    );
    expect(out).not.toMatch(MARKDOWN_LINK);
    expect(out).not.toMatch(LINKABLE_URL);
  });

  it('escapes a citation-shaped label and a link the text had half-escaped itself', () => {
    expect(discordSafeMarkdown('[1](http://evil)')).toBe('\\[1\\]\u200b(hxxp://evil)');
    expect(discordSafeMarkdown('\\[x](http://evil) \\\\[y](http://evil)')).toBe('\\[x\\]\u200b(hxxp://evil) \\\\\\[y\\]\u200b(hxxp://evil)');
  });
});

describe('terminalText', () => {
  it('drops control sequences (an OSC 8 hyperlink hides its target) and defangs URLs', () => {
    const osc8 = '\u001b]8;;http://evil.example\u001b\\Trail maps\u001b]8;;\u001b\\';
    const out = terminalText(`${osc8}\r overwritten? [x](http://evil)\n\tok`);
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(out).toBe(']8;;hxxp://evil.example\\Trail maps]8;;\\ overwritten? [x](hxxp://evil)\n\tok');
  });
});

describe('UntrustedStream', () => {
  const hostile = [
    'See [the portal](http://evil.example/steal) or https://evil.example/raw [1].\n',
    '[ref]: http://evil\nwww.evil.example and steam://run and ![img](https://e/x.png)\n',
    'Ends in a scheme: http',
  ].join('');

  it('returns, over any cutting into deltas, exactly the transform of the whole', () => {
    const random = seededRandom(14);
    for (let round = 0; round < 200; round++) {
      const stream = new UntrustedStream(defuseLinks);
      let out = '';
      for (let i = 0; i < hostile.length; ) {
        const n = 1 + Math.floor(random() * 9);
        out += stream.push(hostile.slice(i, i + n));
        i += n;
      }
      out += stream.flush();
      expect(out).toBe(defuseLinks(hostile));
    }
  });

  it('never emits a scheme it might still have to break, and holds back no more than a word', () => {
    const stream = new UntrustedStream(defuseLinks);
    expect(stream.push('go to htt')).toBe('go to ');
    expect(stream.push('p:/')).toBe('');
    // A trailing "w" could start "www.": it waits for the next delta too.
    expect(stream.push('/evil.example now')).toBe('hxxp://evil.example no');
    expect(stream.push(' [x]')).toBe('w [x]');
    expect(stream.push('(y)')).toBe('\u200b(y)');
  });
});
