import { describe, expect, it } from 'vitest';
import { fromMrkdwn, slackLink, stripBotMention, toMrkdwn, toStreamMarkdown } from '../../../src/adapters/slack/mrkdwn.js';

/** Any Slack control sequence that could notify someone. */
const PING = /<(?:!channel|!here|!everyone|@[UW][A-Z0-9]+|!subteam\^[^>]*)(?:\|[^>]*)?>/;

describe('toMrkdwn', () => {
  it('converts bold, italics, strikethrough, headings and bullets, and makes no link of a Markdown link', () => {
    const md = '# Trail maps\n\nThe **maps** are in [the atlas](https://example.org/atlas) [1]. See *this* and __that__, not ~~those~~.\n\n- one\n* two';
    expect(toMrkdwn(md)).toBe(
      '*Trail maps*\n\nThe *maps* are in [the atlas]\u200b(hxxps://example.org/atlas) [1]. See _this_ and *that*, not ~those~.\n\n• one\n• two',
    );
  });

  it('escapes &, < and > everywhere, so no control sequence (link, mention) can form, and keeps a quote marker', () => {
    expect(toMrkdwn('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(toMrkdwn('> quoted [2]')).toBe('> quoted [2]');
    expect(toMrkdwn('see [A & B](https://e.org/?a=1&b=2)')).toBe('see [A &amp; B]\u200b(hxxps://e.org/?a=1&amp;b=2)');
    expect(toMrkdwn('<https://e.org/x>')).toBe('&lt;hxxps://e.org/x&gt;');
    expect(toMrkdwn('<https://evil.example|the official portal>')).toBe('&lt;hxxps://evil.example|the official portal&gt;');
  });

  it('leaves code alone apart from escaping, and drops a fence info string', () => {
    expect(toMrkdwn('run `a<b **c**` now')).toBe('run `a&lt;b **c**` now');
    expect(toMrkdwn('```js\nif (a < b) {}\n```')).toBe('```\nif (a &lt; b) {}\n```');
    // An unclosed fence (mid-stream) is still code.
    expect(toMrkdwn('```\n**x**')).toBe('```\n**x**');
  });

  it('turns non-http links into their label and encodes characters that would end a link', () => {
    expect(toMrkdwn('[click](javascript:alert(1))')).not.toContain('<javascript');
    expect(slackLink('https://e.org/a b|c>d', 'T|x')).toBe('<https://e.org/a%20b%7Cc%3Ed|T/x>');
    expect(slackLink(null, 'Title')).toBe('Title');
  });

  it('can never produce a ping, whatever the model or a document writes', () => {
    const hostile = [
      '<!channel> please', '<!here>', '<!everyone|everyone>', 'hi <@U012AB3CD>', '<!subteam^S123|@team>', '[x](<!here>)',
      '[<!channel>](https://e.org)', '**<@W1234>**', '`<!here>`', '```\n<!channel>\n```', '@here and @channel and @everyone',
    ];
    for (const text of hostile) {
      for (const out of [toMrkdwn(text), toStreamMarkdown(text)]) {
        expect(out, `${text} → ${out}`).not.toMatch(PING);
        expect(out).not.toMatch(/(^|[^\u200b])@(here|channel|everyone)\b/);
      }
    }
  });
});

describe('toStreamMarkdown', () => {
  it('keeps Markdown for Slack to render and escapes only control characters', () => {
    expect(toStreamMarkdown('**b** [t](https://e.org) a < b & c > d\n> quote')).toBe('**b** [t](https://e.org) a &lt; b &amp; c &gt; d\n> quote');
  });

  it('is prefix-stable, so streamed appends add up to the rendering of the whole', () => {
    const text = 'A < B & C > D\n> quote [1] and **bold** ok\n  > nested';
    const full = toStreamMarkdown(text);
    for (let i = 0; i <= text.length; i++) expect(full.startsWith(toStreamMarkdown(text.slice(0, i)))).toBe(true);
  });
});

describe('fromMrkdwn and stripBotMention', () => {
  it('reads Slack text back as plain text for history', () => {
    expect(fromMrkdwn('see <https://e.org|the atlas> &amp; <https://x.org> &lt;3 <@U1> <!here>')).toBe('see the atlas & https://x.org <3');
  });

  it('removes only the bot mention', () => {
    expect(stripBotMention('<@UBOT> where are the <@UOTHER> maps?', 'UBOT')).toBe('where are the <@UOTHER> maps?');
    expect(stripBotMention('<@UBOT|docent>   hi', 'UBOT')).toBe('hi');
  });
});
