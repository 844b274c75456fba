import { describe, expect, it } from 'vitest';
import type { Citation } from '../../../src/core/answer/types.js';
import { finalMessages } from '../../../src/adapters/discord/stream-answer.js';
import { formatFinalAnswer, formatSourceList, stripSourceList } from '../../../src/adapters/discord/source-list.js';
import { escapeInline, stripMentions, threadNameFrom } from '../../../src/adapters/discord/sanitize.js';

const cite = (n: number, over: Partial<Citation> = {}): Citation => ({
  n, passage: n, title: `Record ${n}`, sourceId: `src-${n}`, url: `https://example.org/r/${n}`, path: null, page: null, ...over,
});

describe('formatSourceList', () => {
  it('numbers sources as Markdown links wrapped in <> with pages', () => {
    const out = formatSourceList([cite(1, { page: 3 }), cite(4)]);
    expect(out).toBe('**Sources**\n[1] [Record 1](<https://example.org/r/1>) — page 3\n[4] [Record 4](<https://example.org/r/4>)');
  });

  it('shows the file when there is no link, and no list without citations', () => {
    expect(formatSourceList([cite(2, { url: null, path: 'reports/field-manual.pdf', page: 2 })])).toBe(
      '**Sources**\n[2] Record 2 — `reports/field-manual.pdf` — page 2',
    );
    expect(formatSourceList([])).toBe('');
  });

  it('escapes titles so Markdown and mentions in them cannot break the line', () => {
    const out = formatSourceList([cite(1, { title: '**Bold** [x](y) @everyone <@&123> _t_' })]);
    expect(out).not.toContain('@everyone');
    expect(out).not.toContain('<@&123>');
    expect(out).toContain('\\*\\*Bold\\*\\*');
    expect(out).toContain('\\[x\\]');
  });

  it('never links non-http URLs and encodes characters that would end the link', () => {
    expect(formatSourceList([cite(1, { url: 'javascript:alert(1)' })])).toBe('**Sources**\n[1] Record 1');
    expect(formatSourceList([cite(1, { url: 'https://e.org/a b>(c)' })])).toContain('(<https://e.org/a%20b%3E%28c%29>)');
  });
});

describe('final answer text', () => {
  it('adds sources and a cache note, and strips them back off for history', () => {
    const full = formatFinalAnswer('The answer [1].', { cached: true, citations: [cite(1)] });
    expect(full).toBe('The answer [1].\n\n**Sources**\n[1] [Record 1](<https://example.org/r/1>)\n\n-# Answered from the cache of recent answers.');
    expect(stripSourceList(full)).toBe('The answer [1].');
    expect(stripSourceList('Just text.')).toBe('Just text.');
  });

  it('puts the feedback buttons on the last message only', () => {
    const messages = finalMessages(`${'word '.repeat(500)}\n\n${'more '.repeat(200)}`, { cached: false, citations: [cite(1)] }, 'a1');
    expect(messages.length).toBe(2);
    expect(messages[0]!.components).toBeUndefined();
    expect(JSON.stringify(messages[1]!.components)).toContain('docent:fb:up:a1');
  });
});

describe('sanitize', () => {
  it('strips mention syntax from echoed text', () => {
    expect(stripMentions('hi <@123> <@!45> <@&6> <#7> @everyone @here')).toBe('hi everyone here');
    expect(escapeInline('a_b')).toBe('a\\_b');
  });

  it('names threads from the question within 100 characters', () => {
    expect(threadNameFrom('<@1> where are the maps?')).toBe('where are the maps?');
    const long = threadNameFrom('word '.repeat(60));
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long.endsWith('…')).toBe(true);
    expect(threadNameFrom('<@1>')).toBe('Question');
  });
});
