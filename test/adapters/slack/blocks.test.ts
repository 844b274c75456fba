import { describe, expect, it } from 'vitest';
import type { Citation } from '../../../src/core/answer/types.js';
import {
  feedbackBlock, footerBlocks, formatSourceList, parseFeedbackAction, SECTION_LIMIT, stripSourceList,
} from '../../../src/adapters/slack/blocks.js';
import { parseSubcommand, slackCommandText } from '../../../src/adapters/slack/command-handler.js';
import { RecentKeys } from '../../../src/adapters/slack/recent-keys.js';
import { historyTurns, parseQuestionEcho, questionEcho } from '../../../src/adapters/slack/thread-history.js';
import { PLACEHOLDER } from '../../../src/adapters/slack/update-surface.js';
import { commandList } from '../../../commands/index.js';

const cite = (n: number, over: Partial<Citation> = {}): Citation => ({
  n, passage: n, title: `Record ${n}`, sourceId: `src-${n}`, url: `https://example.org/r/${n}`, path: null, page: null, ...over,
});

describe('formatSourceList (Slack)', () => {
  it('numbers sources as <url|Title> links with pages, or the file when there is no link', () => {
    expect(formatSourceList([cite(1, { page: 3 }), cite(2, { url: null, path: 'reports/manual.pdf', page: 2 })])).toBe(
      '*Sources*\n[1] <https://example.org/r/1|Record 1> — page 3\n[2] Record 2 — `reports/manual.pdf` — page 2',
    );
    expect(formatSourceList([])).toBe('');
  });

  it('escapes titles so they cannot ping, close the link or add markup', () => {
    const out = formatSourceList([cite(1, { title: 'A <!channel> | B & <@U1> >' })]);
    expect(out).toBe('*Sources*\n[1] <https://example.org/r/1|A &lt;!channel&gt; / B &amp; &lt;@U1&gt; &gt;>');
    expect(formatSourceList([cite(1, { url: 'javascript:alert(1)' })])).toBe('*Sources*\n[1] Record 1');
  });

  it('is stripped back off a message for history', () => {
    const text = `The answer [1].\n${formatSourceList([cite(1)])}`;
    expect(stripSourceList(text)).toBe('The answer [1].');
    expect(stripSourceList('No sources here.')).toBe('No sources here.');
  });
});

describe('footer blocks', () => {
  it('has sources, the cache note and 👍/👎 buttons carrying the answer id', () => {
    const blocks = footerBlocks({ citations: [cite(1)], cached: true, answerId: 'ans-42' });
    expect(blocks.map((b) => b.type)).toEqual(['section', 'context', 'actions']);
    const ids = (blocks[2]!['elements'] as Array<{ action_id: string }>).map((e) => e.action_id);
    expect(ids.map(parseFeedbackAction)).toEqual([{ vote: 'up', answerId: 'ans-42' }, { vote: 'down', answerId: 'ans-42' }]);
    expect(feedbackBlock('x'.repeat(300))).toEqual([]);
  });

  it('splits a long source list into sections under 3000 characters and stays under 50 blocks', () => {
    const many = Array.from({ length: 400 }, (_, i) => cite(i + 1, { title: `A fairly long record title number ${i + 1} about streams` }));
    const blocks = footerBlocks({ citations: many, cached: false, answerId: 'a' });
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const b of blocks.filter((x) => x.type === 'section')) expect((b['text'] as { text: string }).text.length).toBeLessThanOrEqual(SECTION_LIMIT);
    expect(footerBlocks({ citations: many, cached: false, answerId: 'a' }, 10)).toHaveLength(10);
  });
});

describe('/docent parsing', () => {
  const names = new Set(commandList.map((c) => c.name));
  it('picks a sub-command by its first word, else asks the whole text', () => {
    expect(parseSubcommand('status', names)).toEqual({ name: 'status', rest: '' });
    expect(parseSubcommand('ask  where are the maps?', names)).toEqual({ name: 'ask', rest: 'where are the maps?' });
    expect(parseSubcommand('where are the trail maps?', names)).toEqual({ name: 'ask', rest: 'where are the trail maps?' });
    expect(parseSubcommand('  ', names)).toEqual({ name: 'help', rest: '' });
  });

  it('shows command names as /docent sub-commands', () => {
    const commands = new Map(commandList.map((c) => [c.name, c]));
    expect(slackCommandText('Use `/ask` or `/status`, not `/other`.', commands)).toBe('Use `/docent ask` or `/docent status`, not `/other`.');
  });
});

describe('thread history', () => {
  const bot = { userId: 'UBOT', botId: 'BBOT' };
  it('turns a thread into turns: echo root as the question, own answers without sources, others left out', () => {
    const turns = historyTurns([
      { ts: '1.000001', user: 'UBOT', bot_id: 'BBOT', text: questionEcho('where are the maps?', 'alice') },
      { ts: '1.000002', user: 'UBOT', bot_id: 'BBOT', text: `In the atlas <https://e.org|atlas> [1].\n${formatSourceList([cite(1)])}` },
      { ts: '1.000003', user: 'UOTHER', bot_id: 'BOTHER', text: 'another bot' },
      { ts: '1.000004', user: 'UALICE', subtype: 'channel_join', text: 'joined' },
      { ts: '1.000005', user: 'UBOT', bot_id: 'BBOT', text: PLACEHOLDER },
      { ts: '1.000006', user: 'UALICE', text: '<@UBOT> and in winter?' },
      { ts: '1.000007', user: 'UALICE', text: 'the 2011 one' },
    ], '1.000001', bot, 10);
    expect(turns).toEqual([
      { role: 'user', text: 'where are the maps?' },
      { role: 'assistant', text: 'In the atlas atlas [1].' },
      { role: 'user', text: 'and in winter?\n\nthe 2011 one' },
    ]);
    expect(parseQuestionEcho('plain')).toBeNull();
  });

  it('keeps the root and the most recent messages', () => {
    const msgs = Array.from({ length: 10 }, (_, i) => ({ ts: `2.00000${i}`, user: i % 2 ? 'UBOT' : 'UALICE', text: `m${i}` }));
    const turns = historyTurns(msgs, '2.000000', bot, 3);
    // m0 and m8 are both the user's: consecutive turns of one side merge.
    expect(turns).toEqual([{ role: 'user', text: 'm0\n\nm8' }, { role: 'assistant', text: 'm9' }]);
  });
});

describe('RecentKeys', () => {
  it('claims keys once, expires them and stays bounded', () => {
    let t = 0;
    const keys = new RecentKeys({ ttlMs: 100, max: 3, now: () => t });
    expect(keys.claim('event:1', 'msg:C:1')).toBe(true);
    expect(keys.claim('event:2', 'msg:C:1')).toBe(false);
    expect(keys.has('event:2')).toBe(false);
    t = 150;
    expect(keys.claim('event:1')).toBe(true);
    for (let i = 0; i < 10; i++) keys.add(`k${i}`);
    expect(keys.size).toBeLessThanOrEqual(3);
  });

  it('drops the oldest write first (has does not move a key), and never reports a key older than its ttl', () => {
    let t = 0;
    const keys = new RecentKeys({ ttlMs: 100, max: 2, now: () => t });
    keys.add('a');
    keys.add('b');
    expect(keys.has('a')).toBe(true);
    keys.add('c');
    expect([keys.has('a'), keys.has('b'), keys.has('c')]).toEqual([false, true, true]);
    t = 50;
    keys.add('b'); // a re-add starts the key's life again
    t = 101;
    expect([keys.has('b'), keys.has('c')]).toEqual([true, false]);
    t = 151;
    expect(keys.has('b')).toBe(false);
  });
});
